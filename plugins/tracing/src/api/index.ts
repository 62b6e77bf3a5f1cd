export { tracingApiRef } from './TracingApi';
export type {
  ListRequestsOptions,
  TracingApi,
  TracingRequestDecision,
} from './TracingApi';
export { TracingClient } from './TracingClient';
