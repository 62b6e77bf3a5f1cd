export { AdminQueue } from './AdminQueue';
