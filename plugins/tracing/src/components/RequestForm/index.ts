export { RequestForm, PreviewCard } from './RequestForm';
