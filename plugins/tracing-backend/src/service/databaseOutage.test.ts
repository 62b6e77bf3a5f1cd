import { TestDatabases } from '@backstage/backend-test-utils';
import knexFactory, { Knex } from 'knex';
import {
  startTracingBackend,
  TracingTestBackend,
} from '../__testUtils__/backend';
import { unreachableCluster } from '../__testUtils__/fixtures';
import { startTcpRelay } from '../__testUtils__/relay';
import { waitUntil } from '../__testUtils__/wait';

/**
 * PostgreSQL going away in the middle of an approval: the answer is a 503
 * and the database holds the request exactly as before, because the
 * approval is one transaction. SQLite is a file in the process: no outage
 * to simulate there.
 */

jest.setTimeout(120_000);

const postgresId = process.env.TRACEGATE_TEST_POSTGRES_ID as
  | 'POSTGRES_15'
  | undefined;
if (!postgresId) {
  throw new Error(
    'No PostgreSQL for the outage test. Run scripts/test.sh (it starts one).',
  );
}
const databases = TestDatabases.create({
  ids: [postgresId],
  disableDocker: true,
});

let direct: Knex;
let throughRelay: Knex;
let relay: Awaited<ReturnType<typeof startTcpRelay>>;
let backend: TracingTestBackend;
/** Set by a test: cuts the relay when this statement is sent. */
let cutOn: RegExp | undefined;

beforeAll(async () => {
  direct = await databases.init(postgresId);
  const connection = direct.client.config.connection as Knex.PgConnectionConfig;
  relay = await startTcpRelay(Number(connection.port ?? 5432));
  throughRelay = knexFactory({
    client: 'pg',
    connection: { ...connection, host: '127.0.0.1', port: relay.port },
    pool: { min: 0, max: 5 },
    // The outage is the point: knex need not print each broken connection.
    log: { warn() {}, error() {}, debug() {}, deprecate() {} },
  });
  throughRelay.on('query', (query: { sql: string }) => {
    if (cutOn?.test(query.sql)) {
      cutOn = undefined;
      relay.cut();
    }
  });
  backend = await startTracingBackend({
    knex: throughRelay,
    tracing: {
      // Nothing listens on port 9: an approval needs no cluster.
      clusters: [unreachableCluster()],
    },
  });
});

afterAll(async () => {
  await throughRelay?.destroy();
  await relay?.cut();
});

/** What is stored about one request, read past the relay. */
async function stored(id: string) {
  const request = await direct('tracing_requests').where({ id }).first();
  const history = await direct('tracing_request_history')
    .where({ request_id: id })
    .orderBy('seq');
  const clusters = await direct('tracing_clusters').select(
    'cluster',
    'revision',
  );
  return { request, history, clusters };
}

/** The request, once the backend answers again through the restored relay. */
function backendAnswers(id: string) {
  return waitUntil('the backend to recover', async () => {
    const res = await backend.get(`/requests/${id}`, 'ada');
    return res.status === 200 && res.body;
  });
}

it.each([
  ['before the approval starts', undefined],
  [
    'between its writes (at the history row)',
    /insert into "tracing_request_history"/i,
  ],
])(
  'the database gone %s: a 503, nothing half-written, approvable after',
  async (_, statement) => {
    const filed = await backend.post('/requests', {
      entityRef: 'component:default/checkout',
      cluster: 'local',
      namespace: 'shop',
      workload: { kind: 'Deployment', name: `outage-${statement ? 2 : 1}` },
      method: 'ebpf',
      sampling: { sampler: 'always_on', ratio: 1 },
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      reason: 'outage test',
    });
    expect(filed.status).toBe(201);
    const before = await stored(filed.body.id);

    if (statement) cutOn = statement;
    else await relay.cut();
    const res = await backend.post(
      `/requests/${filed.body.id}/approve`,
      {},
      'ada',
    );
    // A 503 that says what happened, and nothing of where the database is.
    expect(res.status).toBe(503);
    expect(res.body.error.message).toBe(
      'The database did not answer; nothing was changed. Try again shortly',
    );
    expect(JSON.stringify(res.body)).not.toContain(String(relay.port));
    expect(cutOn).toBeUndefined(); // the cut happened

    expect(await stored(filed.body.id)).toEqual(before);
    await relay.restore();
    expect((await backendAnswers(filed.body.id)).status).toBe('pending');
    const again = await backend.post(
      `/requests/${filed.body.id}/approve`,
      {},
      'ada',
    );
    expect(again.status).toBe(200);
    const after = await stored(filed.body.id);
    expect(after.history.map(h => h.to_status)).toEqual([
      'pending',
      'approved',
    ]);
  },
);
