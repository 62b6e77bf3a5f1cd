export { EntityTracingContent } from './EntityTracingContent';
