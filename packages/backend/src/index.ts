import { createBackend } from '@backstage/backend-defaults';
import { tracingPermissionPolicyModule } from '@tracegate/plugin-tracing-backend';
import { devUsersAuthModule } from './modules/devUsersAuth';

const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));
backend.add(import('@backstage/plugin-proxy-backend'));

// Sign-in: the guest provider in development (see app-config.yaml).
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
// Development only: sign in as any demo user (a requester, an admin).
backend.add(devUsersAuthModule);

backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));

backend.add(import('@backstage/plugin-permission-backend'));
// Tracegate's default rules; other plugins' permissions are allowed.
backend.add(tracingPermissionPolicyModule);

backend.add(import('@backstage/plugin-search-backend'));
backend.add(import('@backstage/plugin-search-backend-module-catalog'));

// user-settings stores settings through the signals channel in the browser.
backend.add(import('@backstage/plugin-user-settings-backend'));
backend.add(import('@backstage/plugin-signals-backend'));
// Tracegate tells requesters and admins what happened through it; e-mail or
// Slack are notification modules the host app adds (see the README).
backend.add(import('@backstage/plugin-notifications-backend'));

backend.add(import('@tracegate/plugin-tracing-backend'));
// Tracegate's actions (request tracing, status, list) for AI assistants over
// MCP, at /api/mcp-actions/v1; which plugins' actions: backend.actions.
backend.add(import('@backstage/plugin-mcp-actions-backend'));

// Software templates; Tracegate's tracing:request step files a request as the
// user who runs the template (catalog/templates/turn-on-tracing.yaml).
backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);
backend.add(import('@tracegate/plugin-scaffolder-backend-module-tracing'));

backend.start();
