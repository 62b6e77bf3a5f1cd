import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { JsonObject } from '@backstage/types';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { Knex } from 'knex';
import request from 'supertest';
import { tracingPlugin } from '../plugin';
import {
  CATALOG,
  testPermissionsFactory,
  testUserInfoFactory,
  TestUser,
  userRef,
} from './fixtures';

/**
 * The tracing plugin in a test backend on `knex`, with the test catalog and
 * policy, and `tracing` as its app-config; calls its routes as a test user.
 */
export async function startTracingBackend(options: {
  /**
   * The tracing plugin's database (and every other plugin's). Without it,
   * each plugin gets an in-memory SQLite database of its own, for backends
   * with more plugins that keep tables (notifications).
   */
  knex?: Knex;
  tracing: JsonObject;
  /** More root config, beside `tracing`. */
  config?: JsonObject;
  /**
   * `on` (default): the test policy decides. `off`: as with
   * `permission.enabled: false`, every permission is allowed and the plugin
   * applies its own default rules (with the USERS' memberships).
   */
  permissionFramework?: 'on' | 'off';
  entities?: Entity[];
  /** More features or service factories, e.g. a logger that records. */
  features?: Parameters<typeof startTestBackend>[0]['features'];
}) {
  const { server } = await startTestBackend({
    features: [
      ...(options.features ?? []),
      tracingPlugin,
      catalogServiceMock.factory({ entities: options.entities ?? CATALOG }),
      options.permissionFramework === 'off'
        ? mockServices.permissions.factory()
        : testPermissionsFactory,
      testUserInfoFactory,
      ...(options.knex
        ? [mockServices.database.factory({ knex: options.knex })]
        : []),
      mockServices.rootConfig.factory({
        data: {
          permission: { enabled: options.permissionFramework !== 'off' },
          ...options.config,
          ...(options.knex
            ? {}
            : {
                backend: {
                  ...(options.config?.backend as object | undefined),
                  database: {
                    client: 'better-sqlite3',
                    connection: ':memory:',
                  },
                },
              }),
          tracing: options.tracing,
        },
      }),
    ],
  });
  const as = (user: TestUser) => mockCredentials.user.header(userRef(user));
  return {
    server,
    get: (path: string, user: TestUser = 'guest') =>
      request(server).get(`/api/tracing${path}`).set('Authorization', as(user)),
    post: (path: string, body: object, user: TestUser = 'guest') =>
      request(server)
        .post(`/api/tracing${path}`)
        .set('Authorization', as(user))
        .send(body),
  };
}

/** A backend started by {@link startTracingBackend}. */
export type TracingTestBackend = Awaited<
  ReturnType<typeof startTracingBackend>
>;
