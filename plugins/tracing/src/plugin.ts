import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { compatWrapper } from '@backstage/core-compat-api';
import { ComponentType, createElement, JSX } from 'react';
import { TracingClient, tracingApiRef } from './api';
import { legacyRootRouteRef as rootRouteRef } from './routes';

/**
 * The components resolve routes with the new frontend system's hooks;
 * compatWrapper gives them those APIs inside a legacy app.
 */
function inLegacyApp(Component: ComponentType<{}>): () => JSX.Element {
  return () => compatWrapper(createElement(Component));
}

/** Route of the legacy `/tracing` page. @public */
export const legacyRootRouteRef = rootRouteRef;

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
      import('./components/TracingPage').then(m => inLegacyApp(m.TracingPage)),
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
        import('./components/EntityTracingContent').then(m =>
          inLegacyApp(m.EntityTracingContent),
        ),
    },
  }),
);

/**
 * The entity's tracing at a glance, for the Overview tab of an entity page
 * (in a `Grid` item, `if={isTracingAvailable}`): the newest request's state,
 * sampling, expiry and traces seen, and a link to the Tracing tab; nothing
 * when the entity has no request.
 *
 * @public
 */
export const EntityTracingCard = tracingPlugin.provide(
  createComponentExtension({
    name: 'EntityTracingCard',
    component: {
      lazy: () =>
        import('./components/EntityTracingCard').then(m =>
          inLegacyApp(m.EntityTracingCard),
        ),
    },
  }),
);
