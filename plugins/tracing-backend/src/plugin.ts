import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { createRouter } from './router';

/**
 * The Tracegate backend plugin: the `/api/tracing` HTTP API.
 *
 * @public
 */
export const tracingPlugin = createBackendPlugin({
  pluginId: 'tracing',
  register(env) {
    env.registerInit({
      deps: {
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
      },
      async init({ httpAuth, httpRouter }) {
        httpRouter.use(await createRouter({ httpAuth }));
      },
    });
  },
});
