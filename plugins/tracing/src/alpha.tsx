import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import TimelineIcon from '@material-ui/icons/Timeline';
import { TracingClient, tracingApiRef } from './api';
import { rootRouteRef } from './routes';

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
    loader: () =>
      import('./components/TracingPage').then(m => <m.TracingPage />),
  },
});

/**
 * Tracegate for Backstage's new frontend system.
 *
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'tracing',
  extensions: [tracingApi, tracingPage],
  routes: { root: rootRouteRef },
});
