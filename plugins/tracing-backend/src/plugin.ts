import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { isResourcePermission } from '@backstage/plugin-permission-common';
import { tracingPermissions } from '@tracegate/plugin-tracing-common';
import { registerTracingActions } from './actions/tracingActions';
import { TracingIntentResolver } from './actions/TracingIntent';
import { DatabaseClusterStore } from './database/DatabaseClusterStore';
import { DatabaseTracingRequestStore } from './database/DatabaseTracingRequestStore';
import {
  tracingRequestResourceRef,
  tracingRequestRules,
} from './permissions/rules';
import { ScmIntegrations } from '@backstage/integration';
import { ClusterRegistry } from './clusters/ClusterRegistry';
import { readClusterSettings } from './clusters/config';
import { RequestTransitions } from './lifecycle/RequestTransitions';
import { Reconciler } from './reconcile/Reconciler';
import { RequestNotifier } from './notifications/RequestNotifier';
import { createRouter } from './router';
import { readTracingConfig } from './service/config';
import { createRequestServices } from './service/requestServices';
import { ClusterListService } from './status/ClusterListService';
import { EntityStatusService } from './status/EntityStatusService';
import { PreviewService } from './status/PreviewService';
import { TargetService } from './targets/TargetService';
import { RecentTracesService } from './traces/RecentTracesService';
import { TraceArrivalChecker } from './traces/TraceArrivalChecker';

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
        actionsRegistry: actionsRegistryServiceRef,
        auditor: coreServices.auditor,
        auth: coreServices.auth,
        catalog: catalogServiceRef,
        config: coreServices.rootConfig,
        database: coreServices.database,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        lifecycle: coreServices.lifecycle,
        logger: coreServices.logger,
        notifications: notificationService,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        scheduler: coreServices.scheduler,
        userInfo: coreServices.userInfo,
      },
      async init(deps) {
        const clusters = readClusterSettings(deps.config);
        const config = readTracingConfig(deps.config, clusters);
        const store = await DatabaseTracingRequestStore.create({
          database: deps.database,
        });
        const clusterStore = await DatabaseClusterStore.create({
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

        const notifier = new RequestNotifier({
          notifications: deps.notifications,
          logger: deps.logger,
          adminGroup: config.adminGroup,
        });
        const clusterRegistry = new ClusterRegistry(
          clusters,
          undefined,
          ScmIntegrations.fromConfig(deps.config),
        );
        // A request entering or leaving the live states reconciles its
        // cluster at once; the reconciler records outcomes as transitions.
        const transitions = new RequestTransitions({
          store,
          auditor: deps.auditor,
          logger: deps.logger,
          onLiveSetChange: request => reconcileSoon(request.cluster),
          onChange: (request, comment) => {
            notifier.changed(request, comment);
          },
        });
        const reconciler = new Reconciler({
          store,
          clusterStore,
          clusters: clusterRegistry,
          transitions,
          logger: deps.logger,
          applyWindowMs: config.applyWindowMs,
        });
        function reconcileSoon(cluster: string) {
          reconciler.reconcileSoon(cluster);
        }
        deps.lifecycle.addShutdownHook(async () => {
          reconciler.stop();
          await clusterRegistry.close();
        });

        const targets = new TargetService({ clusters: clusterRegistry });
        const requests = createRequestServices({
          store,
          catalog: deps.catalog,
          permissions: deps.permissions,
          auditor: deps.auditor,
          logger: deps.logger,
          config,
          ruleset: deps.permissionsRegistry.getPermissionRuleset(
            tracingRequestResourceRef,
          ),
          transitions,
          targets,
          notifier,
          permissionsEnabled:
            deps.config.getOptionalBoolean('permission.enabled') ?? false,
          userInfo: deps.userInfo,
        });

        await deps.scheduler.scheduleTask({
          id: 'tracing-expire-requests',
          frequency: config.expiryFrequency,
          timeout: { minutes: 5 },
          fn: async () => {
            await requests.expiry.warnExpiringSoon();
            await requests.expiry.expireDue();
          },
        });

        // On every replica (scope local: no claim in the database that a
        // crashed replica would hold until its timeout); passes over a
        // cluster are fenced by the cluster's lease (see Reconciler).
        await deps.scheduler.scheduleTask({
          id: 'tracing-reconcile-clusters',
          scope: 'local',
          frequency: config.reconcileFrequency,
          timeout: { minutes: 5 },
          initialDelay: { seconds: 5 },
          fn: async () => {
            await reconciler.reconcileAll();
          },
        });

        // One replica at a time (scope global): one search per active
        // request per run, see TraceArrivalChecker.
        const arrivals = new TraceArrivalChecker({
          store,
          clusters: clusterRegistry,
          logger: deps.logger,
          graceMs: config.traceCheckGraceMs,
        });
        await deps.scheduler.scheduleTask({
          id: 'tracing-check-trace-arrival',
          frequency: config.traceCheckFrequency,
          timeout: { minutes: 10 },
          initialDelay: { seconds: 10 },
          fn: async () => {
            await arrivals.checkAll();
          },
        });

        const previews = new PreviewService({
          store,
          clusters: clusterRegistry,
        });
        registerTracingActions({
          actionsRegistry: deps.actionsRegistry,
          auth: deps.auth,
          service: requests.service,
          reads: requests.reads,
          previews,
          intents: new TracingIntentResolver({
            config,
            entities: requests.entities,
            targets,
          }),
          appBaseUrl: deps.config.getOptionalString('app.baseUrl') ?? '',
        });

        deps.httpRouter.use(
          await createRouter({
            ...deps,
            ...requests,
            config,
            targets,
            clusterList: new ClusterListService(clusterRegistry),
            previews,
            recentTraces: new RecentTracesService({
              clusters: clusterRegistry,
            }),
            entityStatus: new EntityStatusService({
              clusterStore,
              clusters: clusterRegistry,
            }),
          }),
        );
      },
    });
  },
});
