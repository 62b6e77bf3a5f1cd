import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  createRouteRef,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { TracingClient, tracingApiRef } from './api';

/** Route of the legacy `/tracing` page. @public */
export const legacyRootRouteRef = createRouteRef({ id: 'tracing' });

/**
 * Tracegate for the legacy frontend system (`createApp` of
 * `@backstage/app-defaults`).
 *
 * @public
 */
export const tracingPlugin = createPlugin({
  id: 'tracing',
  apis: [
    createApiFactory({
      api: tracingApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new TracingClient({ discoveryApi, fetchApi }),
    }),
  ],
  routes: { root: legacyRootRouteRef },
});

/**
 * The `/tracing` page: `<Route path="/tracing" element={<TracingPage />} />`.
 *
 * @public
 */
export const TracingPage = tracingPlugin.provide(
  createRoutableExtension({
    name: 'TracingPage',
    component: () =>
      import('./components/TracingPage').then(m => m.TracingPage),
    mountPoint: legacyRootRouteRef,
  }),
);

/**
 * The entity tab content, for an `EntityLayout.Route` of the entity page
 * whose `if` is `isTracingAvailable` (see the README).
 *
 * @public
 */
export const EntityTracingContent = tracingPlugin.provide(
  createComponentExtension({
    name: 'EntityTracingContent',
    component: {
      lazy: () =>
        import('./components/EntityTracingContent').then(
          m => m.EntityTracingContent,
        ),
    },
  }),
);
