export { RequestForm } from './RequestForm';
