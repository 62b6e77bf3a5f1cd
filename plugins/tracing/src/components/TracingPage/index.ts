export { TracingPage } from './TracingPage';
