import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { isResourcePermission } from '@backstage/plugin-permission-common';
import { tracingPermissions } from '@tracegate/plugin-tracing-common';
import { DatabaseTracingRequestStore } from './database/DatabaseTracingRequestStore';
import {
  tracingRequestResourceRef,
  tracingRequestRules,
} from './permissions/rules';
import { readClusterSettings, ClusterSettings } from './clusters/config';
import { KubeApi } from './clusters/KubeApi';
import { Reconciler } from './reconcile/Reconciler';
import { createRouter } from './router';
import { ClusterStatusService } from './service/ClusterStatusService';
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
        lifecycle: coreServices.lifecycle,
        logger: coreServices.logger,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        scheduler: coreServices.scheduler,
      },
      async init(deps) {
        const clusters = readClusterSettings(deps.config);
        const config = readTracingConfig(deps.config, clusters);
        const store = await DatabaseTracingRequestStore.create({
          database: deps.database,
        });

        deps.permissionsRegistry.addPermissions(
          tracingPermissions.filter(p => !isResourcePermission(p)),
        );
        deps.permissionsRegistry.addResourceType({
          resourceRef: tracingRequestResourceRef,
          permissions: tracingPermissions.filter(p => isResourcePermission(p)),
          rules: Object.values(tracingRequestRules),
          getResources: ids => Promise.all(ids.map(id => store.get(id))),
        });

        const apis = new Map(
          clusters.map(c => [c.name, KubeApi.fromSettings(c)]),
        );
        const apiFor = (cluster: ClusterSettings) => apis.get(cluster.name)!;
        const reconciler = new Reconciler({
          store,
          clusters,
          apiFor,
          logger: deps.logger,
        });
        const reconcileSoon = (cluster: string) => {
          reconciler
            .reconcile(cluster)
            .catch(error =>
              deps.logger.error(
                `Reconciling cluster ${cluster} failed: ${error}`,
              ),
            );
        };
        deps.lifecycle.addShutdownHook(() => reconciler.stop());

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
          onChange: request => reconcileSoon(request.cluster),
        });
        const clusterStatus = new ClusterStatusService({
          store,
          clusters,
          apiFor,
        });

        await deps.scheduler.scheduleTask({
          id: 'tracing-expire-requests',
          frequency: config.expiryFrequency,
          timeout: { minutes: 5 },
          fn: async () => {
            await service.expireDue();
          },
        });

        await deps.scheduler.scheduleTask({
          id: 'tracing-reconcile-clusters',
          frequency: config.reconcileFrequency,
          timeout: { minutes: 5 },
          initialDelay: { seconds: 5 },
          fn: async () => {
            await reconciler.reconcileAll();
          },
        });

        deps.httpRouter.use(
          await createRouter({ ...deps, service, clusterStatus, config }),
        );
      },
    });
  },
});
