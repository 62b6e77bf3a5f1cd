/*
 * yarn bench:api-load
 *
 * The HTTP API with 100,000 requests in the database, on SQLite and (when
 * TRACEGATE_BENCH_POSTGRES is a connection string; `yarn bench` starts one)
 * PostgreSQL: GET /requests (first page, a filtered page, a search, the
 * requester's own, a deep cursor) and POST /requests under autocannon on
 * loopback, 10 connections for 5 s each: requests per second, p50, p99.
 * The router is the plugin's own, with a policy that allows and a cluster
 * that is down (targets not verified, as on a cluster that cannot be read).
 */
import { mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import express from 'express';
import { AddressInfo } from 'node:net';
import Knex, { Knex as KnexType } from 'knex';
import { ClusterRegistry } from '../plugins/tracing-backend/src/clusters/ClusterRegistry';
import { DatabaseTracingRequestStore } from '../plugins/tracing-backend/src/database/DatabaseTracingRequestStore';
import { RequestTransitions } from '../plugins/tracing-backend/src/lifecycle/RequestTransitions';
import { createRouter } from '../plugins/tracing-backend/src/router';
import { createRequestServices } from '../plugins/tracing-backend/src/service/requestServices';
import { TargetService } from '../plugins/tracing-backend/src/targets/TargetService';
import {
  CATALOG,
  testClusterSettings,
  testRuleset,
  testTracingConfig,
} from '../plugins/tracing-backend/src/__testUtils__/fixtures';
import { quietAuditor, quietLogger } from './quiet';
import { report } from './report';

// autocannon has no types of its own.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const autocannon = require('autocannon');

const ROWS = 100_000;
const DURATION_S = 5;
const CONNECTIONS = 10;

/** 100,000 rows as the store writes them, inserted in batches. */
async function seed(knex: KnexType) {
  const statuses = ['expired', 'revoked', 'rejected', 'active', 'pending'];
  const at = (i: number) =>
    new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
  for (let start = 0; start < ROWS; start += 1000) {
    const rows = Array.from({ length: 1000 }, (_, k) => {
      const i = start + k;
      const status = statuses[i % statuses.length];
      return {
        id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        entity_ref: `component:default/service-${i % 2000}`,
        entity_owner: `group:default/team-${i % 200}`,
        // Not in step with the status (i % 5): every cluster has every state.
        cluster: `cluster-${Math.floor(i / 7) % 5}`,
        namespace: `team-${i % 50}`,
        workload_kind: 'Deployment',
        workload_name: `workload-${i}`,
        method: 'ebpf',
        sampler: 'parentbased_traceidratio',
        ratio: 0.1,
        expires_at: at(i + 10_000),
        reason: `investigating latency of service ${i}`,
        status,
        requested_by: `user:default/user-${i % 3000}`,
        search_text: `component:default/service-${
          i % 2000
        } workload-${i} team-${i % 50} cluster-${
          Math.floor(i / 7) % 5
        } user:default/user-${i % 3000} investigating latency of service ${i}`,
        created_at: at(i),
        updated_at: at(i),
      };
    });
    await knex.batchInsert('tracing_requests', rows, 500);
  }
  // As autovacuum would have by then: planner statistics for the new rows
  // (without them PostgreSQL sorts the whole table for a search page).
  if (knex.client.config.client === 'pg')
    await knex.raw('ANALYZE tracing_requests');
}

async function server(knex: KnexType) {
  const store = await DatabaseTracingRequestStore.create({
    database: mockServices.database({ knex }),
  });
  await seed(knex);
  const settings = testClusterSettings({ url: 'https://127.0.0.1:1' });
  const clusters = new ClusterRegistry([settings]);
  const allow = async (requests: unknown[]) =>
    requests.map(() => ({ result: AuthorizeResult.ALLOW }));
  const { service } = createRequestServices({
    store,
    catalog: {
      getEntityByRef: async (ref: any) =>
        CATALOG.find(
          e =>
            `component:default/${e.metadata.name}` ===
            (typeof ref === 'string'
              ? ref
              : `component:${ref.namespace}/${ref.name}`),
        ),
    } as any,
    permissions: { authorize: allow, authorizeConditional: allow } as any,
    auditor: quietAuditor,
    logger: quietLogger,
    config: testTracingConfig(),
    ruleset: testRuleset,
    transitions: new RequestTransitions({
      store,
      auditor: quietAuditor,
      logger: quietLogger,
    }),
    targets: new TargetService({ clusters }),
    // The allow-all policy above stands for the permission framework.
    permissionsEnabled: true,
  });
  const httpAuth = {
    credentials: async () => ({
      $$type: '@backstage/BackstageCredentials',
      principal: { type: 'user', userEntityRef: 'user:default/guest' },
    }),
  };
  const app = express();
  app.use(
    await createRouter({
      httpAuth: httpAuth as any,
      logger: quietLogger,
      service,
      config: (service as any).options.config,
    } as any),
  );
  const listener = app.listen(0, '127.0.0.1');
  await new Promise(r => listener.once('listening', r));
  const deep = await store.list({ limit: 1, cursor: undefined });
  const base = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
  return { base, listener, clusters, newestSeq: deep.items[0] };
}

function load(url: string, options: Record<string, unknown> = {}) {
  return new Promise<any>((resolve, reject) =>
    autocannon(
      { url, connections: CONNECTIONS, duration: DURATION_S, ...options },
      (error: Error, result: any) => (error ? reject(error) : resolve(result)),
    ),
  );
}

async function bench(database: string, knex: KnexType) {
  const { base, listener, clusters } = await server(knex);
  // A cursor 80,000 rows deep: the page after seq 20,000.
  const deepCursor = Buffer.from(JSON.stringify({ seq: 20_000 })).toString(
    'base64url',
  );
  let n = 0;
  const cases: Array<[string, string, Record<string, unknown>?]> = [
    ['GET first page', '/requests?limit=100'],
    [
      'GET filtered (status=pending, cluster)',
      '/requests?status=pending&cluster=cluster-3&limit=100',
    ],
    [
      "GET requester's own",
      '/requests?requestedBy=user:default/user-42&limit=100',
    ],
    ['GET search q=', '/requests?q=service%2042&limit=100'],
    ['GET deep cursor', `/requests?limit=100&cursor=${deepCursor}`],
    [
      'POST /requests',
      '/requests',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        requests: [
          {
            setupRequest: (req: any) => ({
              ...req,
              body: JSON.stringify({
                entityRef: 'component:default/checkout',
                cluster: 'local',
                namespace: 'shop',
                workload: { kind: 'Deployment', name: `load-${n++}` },
                method: 'ebpf',
                sampling: { sampler: 'parentbased_traceidratio', ratio: 0.1 },
                expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
                reason: 'load',
              }),
            }),
          },
        ],
      },
    ],
  ];
  const rows = [];
  for (const [name, path, options] of cases) {
    const result = await load(`${base}${path}`, options);
    if (result.non2xx > 0) {
      throw new Error(`${name}: ${result.non2xx} answers were not 2xx`);
    }
    rows.push({
      database,
      case: name,
      rps: Math.round(result.requests.average),
      p50: result.latency.p50,
      p99: result.latency.p99,
      non2xx: result.non2xx,
    });
  }
  listener.closeAllConnections();
  await new Promise(r => listener.close(r));
  // Handlers of the last requests may still be writing.
  await new Promise(r => setTimeout(r, 1_000));
  clusters.close();
  return rows;
}

async function main() {
  const rows = [];
  const sqlite = Knex({
    client: 'better-sqlite3',
    connection: ':memory:',
    useNullAsDefault: true,
  });
  rows.push(...(await bench('SQLite', sqlite)));
  await sqlite.destroy();
  const pgUrl = process.env.TRACEGATE_BENCH_POSTGRES;
  if (pgUrl) {
    const pg = Knex({ client: 'pg', connection: pgUrl });
    rows.push(...(await bench('PostgreSQL', pg)));
    await pg.destroy();
  }
  report(
    'api-load',
    rows,
    [
      ['database', r => r.database],
      ['case', r => r.case],
      ['req/s', r => String(r.rps)],
      ['p50 ms', r => String(r.p50)],
      ['p99 ms', r => String(r.p99)],
      ['non-2xx', r => String(r.non2xx)],
    ],
    [
      `${ROWS.toLocaleString(
        'en-US',
      )} rows; autocannon, ${CONNECTIONS} connections, ${DURATION_S} s per case, loopback`,
      pgUrl
        ? ''
        : 'PostgreSQL skipped: TRACEGATE_BENCH_POSTGRES not set (yarn bench sets it)',
    ].filter(Boolean),
  );
}

main().catch(error => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
