export { ExtendDialog } from './ExtendDialog';
