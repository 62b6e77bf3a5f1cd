import { createBackendModule } from '@backstage/backend-plugin-api';
import { actionsServiceRef } from '@backstage/backend-plugin-api/alpha';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createRequestTracingAction } from './requestTracingAction';

/**
 * Adds `tracing:request` to the scaffolder. Needs the Tracegate backend
 * (`@tracegate/plugin-tracing-backend`) in the same Backstage, and its
 * plugin among `backend.actions.pluginSources`.
 *
 * @public
 */
export const scaffolderModuleTracing = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'tracing',
  register(env) {
    env.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        actions: actionsServiceRef,
      },
      async init({ scaffolder, actions }) {
        scaffolder.addActions(createRequestTracingAction({ actions }));
      },
    });
  },
});
