export { tracingApiRef } from './TracingApi';
export type { TracingApi } from './TracingApi';
export { TracingClient } from './TracingClient';
