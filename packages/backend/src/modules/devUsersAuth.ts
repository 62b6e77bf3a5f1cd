import { createBackendModule } from '@backstage/backend-plugin-api';
import { AuthenticationError } from '@backstage/errors';
import {
  authProvidersExtensionPoint,
  createProxyAuthenticator,
  createProxyAuthProviderFactory,
} from '@backstage/plugin-auth-node';

const USER_NAME = /^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$/;

/**
 * Development sign-in as any demo User of the catalog, so that a requester and
 * a platform admin can both be tried on one machine:
 * `GET /api/auth/dev-users/refresh?user=ada`. The auth backend only sets it up
 * where `auth.providers.dev-users` is configured for the current
 * `auth.environment` (app-config.yaml: development only).
 */
export const devUsersAuthModule = createBackendModule({
  pluginId: 'auth',
  moduleId: 'dev-users-provider',
  register(reg) {
    reg.registerInit({
      deps: { providers: authProvidersExtensionPoint },
      async init({ providers }) {
        providers.registerProvider({
          providerId: 'dev-users',
          factory: createProxyAuthProviderFactory({
            authenticator: createProxyAuthenticator({
              defaultProfileTransform: async (result: { name: string }) => ({
                profile: { displayName: result.name },
              }),
              initialize: () => undefined,
              async authenticate({ req }) {
                const name =
                  req.query.user ?? req.header('x-tracegate-dev-user');
                if (typeof name !== 'string' || !USER_NAME.test(name)) {
                  throw new AuthenticationError(
                    'Say which demo user to sign in as: ?user=<name>',
                  );
                }
                return { result: { name } };
              },
            }),
            async signInResolver({ result }, ctx) {
              return ctx.signInWithCatalogUser({
                entityRef: {
                  kind: 'user',
                  namespace: 'default',
                  name: result.name,
                },
              });
            },
          }),
        });
      },
    });
  },
});
