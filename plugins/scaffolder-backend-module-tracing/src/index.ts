/**
 * Tracegate's scaffolder module: the `tracing:request` template action.
 *
 * @packageDocumentation
 */
export { scaffolderModuleTracing as default } from './module';
export {
  createRequestTracingAction,
  REQUEST_TRACING_ACTION_ID,
} from './requestTracingAction';
