import { createApiRef } from '@backstage/frontend-plugin-api';
import { TracingHealth } from '@tracegate/plugin-tracing-common';

/**
 * Client of the Tracegate backend (`/api/tracing`).
 *
 * @public
 */
export interface TracingApi {
  getHealth(): Promise<TracingHealth>;
}

/** @public */
export const tracingApiRef = createApiRef<TracingApi>({
  id: 'plugin.tracing.api',
});
