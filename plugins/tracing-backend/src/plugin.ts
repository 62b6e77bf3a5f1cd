import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { tracingPermissions } from '@tracegate/plugin-tracing-common';
import { DatabaseTracingRequestStore } from './database/DatabaseTracingRequestStore';
import {
  tracingRequestResourceRef,
  tracingRequestRules,
} from './permissions/rules';
import { createRouter } from './router';
import { readTracingConfig } from './service/config';
import { TracingRequestService } from './service/TracingRequestService';

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
        auditor: coreServices.auditor,
        catalog: catalogServiceRef,
        config: coreServices.rootConfig,
        database: coreServices.database,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        logger: coreServices.logger,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        scheduler: coreServices.scheduler,
      },
      async init(deps) {
        const config = readTracingConfig(deps.config);
        const store = await DatabaseTracingRequestStore.create({
          database: deps.database,
        });

        deps.permissionsRegistry.addResourceType({
          resourceRef: tracingRequestResourceRef,
          permissions: tracingPermissions,
          rules: Object.values(tracingRequestRules),
          getResources: ids => Promise.all(ids.map(id => store.get(id))),
        });

        const service = new TracingRequestService({
          store,
          catalog: deps.catalog,
          permissions: deps.permissions,
          auditor: deps.auditor,
          logger: deps.logger,
          config,
          ruleset: deps.permissionsRegistry.getPermissionRuleset(
            tracingRequestResourceRef,
          ),
        });

        await deps.scheduler.scheduleTask({
          id: 'tracing-expire-requests',
          frequency: config.expiryFrequency,
          timeout: { minutes: 5 },
          fn: async () => {
            await service.expireDue();
          },
        });

        deps.httpRouter.use(await createRouter({ ...deps, service, config }));
      },
    });
  },
});
