import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { isTracingAvailable } from '@tracegate/plugin-tracing-common';
import TimelineIcon from '@material-ui/icons/Timeline';
import { TracingClient, tracingApiRef } from './api';
import {
  approvalQueueRouteRef,
  newRequestRouteRef,
  rootRouteRef,
} from './routes';

/** @alpha */
export const tracingApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: tracingApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new TracingClient({ discoveryApi, fetchApi }),
    }),
});

/** @alpha */
export const tracingPage = PageBlueprint.make({
  params: {
    path: '/tracing',
    title: 'Tracing',
    icon: <TimelineIcon />,
    routeRef: rootRouteRef,
    noHeader: true,
    loader: () =>
      import('./components/TracingPage').then(m => <m.TracingPage />),
  },
});

/** The "Tracing" tab of services that say where they run. @alpha */
export const tracingEntityContent = EntityContentBlueprint.make({
  params: {
    path: 'tracing',
    title: 'Tracing',
    filter: isTracingAvailable,
    loader: () =>
      import('./components/EntityTracingContent').then(m => (
        <m.EntityTracingContent />
      )),
  },
});

/** The entity's tracing at a glance, on its Overview tab. @alpha */
export const tracingEntityCard = EntityCardBlueprint.make({
  params: {
    filter: isTracingAvailable,
    loader: () =>
      import('./components/EntityTracingCard').then(m => (
        <m.EntityTracingCard />
      )),
  },
});

/**
 * Tracegate for Backstage's new frontend system.
 *
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'tracing',
  extensions: [
    tracingApi,
    tracingPage,
    tracingEntityContent,
    tracingEntityCard,
  ],
  routes: {
    root: rootRouteRef,
    newRequest: newRequestRouteRef,
    approvalQueue: approvalQueueRouteRef,
  },
});
