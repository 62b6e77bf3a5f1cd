export { AdminQueuePage } from './AdminQueuePage';
