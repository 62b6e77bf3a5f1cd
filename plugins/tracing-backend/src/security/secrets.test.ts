import {
  coreServices,
  createServiceFactory,
  LoggerService,
} from '@backstage/backend-plugin-api';
import {
  createTracegateServiceAccount,
  withoutDaemonSets,
} from '@internal/local-kube';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import {
  startTracingBackend,
  TracingTestBackend,
} from '../__testUtils__/backend';
import { createTestDatabases } from '../__testUtils__/databases';
import {
  requestInput,
  TestUser,
  unreachableCluster,
} from '../__testUtils__/fixtures';
import { localClusterConfig, useSeededCluster } from '../__testUtils__/kube';
import { waitUntil } from '../__testUtils__/wait';

/**
 * Credentials from app-config (cluster tokens, the trace store's headers)
 * never reach an HTTP answer or a log line, on the paths where they are
 * used and on the paths where using them fails.
 */

jest.setTimeout(180_000);

/** A logger that keeps every line with everything attached, as text. */
function recordingLogger(
  lines: string[],
  fields: Record<string, unknown> = {},
): LoggerService {
  const log = (level: string) => (message: string, meta?: Error | object) =>
    lines.push(
      `${level} ${message} ${inspect(meta, { depth: 10 })} ${inspect(fields)}`,
    );
  return {
    error: log('error'),
    warn: log('warn'),
    info: log('info'),
    debug: log('debug'),
    child: more => recordingLogger(lines, { ...fields, ...more }),
  };
}

const databases = createTestDatabases();
const TRACE_STORE_PASSWORD = 'Basic dHJhY2Vnb2RlOnMzY3JldC1vdGxwLXBhc3M=';
const DOWN_TOKEN = 'down-cluster-token-7f3a9c1e5b';
const INVALID_TOKEN = 'invalid-cluster-token-2d8e4f6a0c';

const kube = useSeededCluster();
let weakToken: string;
const logLines: string[] = [];
const answers: string[] = [];
const TRACE_QUERY_TOKEN = 'Bearer query-token-4f1c9a';
let echoingStore: { url: string; close(): Promise<void> };

/** A trace store that refuses every query and echoes its headers back. */
async function startEchoingStore() {
  const server = http.createServer((req, res) => {
    res.writeHead(401, { 'Content-Type': 'text/plain' });
    res.end(`unauthorized: ${JSON.stringify(req.headers)}`);
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>(r => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
let backend: TracingTestBackend;

beforeAll(async () => {
  weakToken = await createTracegateServiceAccount(kube.cluster, {
    name: 'tracegate-no-daemonsets',
    adjust: withoutDaemonSets,
  });
  echoingStore = await startEchoingStore();
  const logger = recordingLogger(logLines);
  backend = await startTracingBackend({
    knex: await databases.init('SQLITE_3'),
    features: [
      createServiceFactory({
        service: coreServices.rootLogger,
        deps: {},
        factory: () => logger,
      }),
      createServiceFactory({
        service: coreServices.logger,
        deps: { plugin: coreServices.pluginMetadata },
        factory: ({ plugin }) => logger.child({ plugin: plugin.getId() }),
      }),
    ],
    tracing: {
      clusters: [
        localClusterConfig(kube.cluster, {
          token: kube.token,
          config: {
            tempo: {
              otlpEndpoint: 'tempo-distributor.tempo.svc:4317',
              headers: { Authorization: TRACE_STORE_PASSWORD },
            },
            traces: {
              type: 'tempo',
              url: echoingStore.url,
              headers: { Authorization: TRACE_QUERY_TOKEN },
            },
          },
        }),
        localClusterConfig(kube.cluster, { name: 'weak', token: weakToken }),
        localClusterConfig(kube.cluster, {
          name: 'invalid',
          token: INVALID_TOKEN,
        }),
        unreachableCluster('down', DOWN_TOKEN),
      ],
    },
  });
}, 300_000);

afterAll(async () => {
  await echoingStore?.close();
});

async function get(path: string, user: TestUser = 'guest') {
  const res = await backend.get(path, user);
  answers.push(res.text);
  return res;
}

async function post(path: string, body: object, user: TestUser = 'guest') {
  const res = await backend.post(path, body, user);
  answers.push(res.text);
  return res;
}

async function statusesOf(ids: string[]): Promise<string[]> {
  return Promise.all(
    ids.map(async id => (await backend.get(`/requests/${id}`)).body.status),
  );
}

const CLUSTERS = ['local', 'weak', 'invalid', 'down'];

it('keeps cluster tokens and trace store headers out of every answer and log line', async () => {
  const ids: string[] = [];
  await get('/clusters');
  for (const name of CLUSTERS) {
    const input = requestInput({ cluster: name });
    await post('/requests/preview', input);
    const filed = await post('/requests', input);
    expect(filed.status).toBe(201);
    ids.push(filed.body.id);
    await get(`/requests/${filed.body.id}/preview`, 'ada');
    await post(`/requests/${filed.body.id}/approve`, {}, 'ada');
    await get(`/entities/component/default/checkout/workloads?cluster=${name}`);
  }

  // Every cluster's pass ends: applied, refused, unauthorized, unreachable.
  const statuses = await waitUntil(
    'every pass to end',
    async () => {
      const now = await statusesOf(ids);
      return now.every(s => s === 'active' || s === 'failed') && now;
    },
    { timeoutMs: 60_000, intervalMs: 250 },
  );
  expect(statuses).toEqual(['active', 'failed', 'failed', 'failed']);
  for (const id of ids) await get(`/requests/${id}`);
  await get('/requests?limit=100');
  await get('/entities/component/default/checkout/status');
  // A trace store that refuses, echoing the query's headers in its answer.
  await get(`/requests/${ids[0]}/traces`);
  // An unreadable cluster in the list, and the state of every pass, once more.
  await get('/clusters');

  const everything = answers.join('\n');
  const logs = logLines.join('\n');
  // The failures did happen, and were reported in words.
  expect(everything).toMatch(/forbidden: .*daemonsets/);
  expect(everything).toMatch(/unauthorized: /);
  expect(everything).toMatch(/unreachable: /);
  expect(everything).toContain('<redacted: tracing.clusters[].tempo.headers>');
  expect(everything).toMatch(/The trace store \(tempo at [^)]+\) answered 401/);
  expect(logs.length).toBeGreaterThan(0);

  for (const secret of [
    kube.token,
    weakToken,
    INVALID_TOKEN,
    DOWN_TOKEN,
    TRACE_STORE_PASSWORD,
    encodeURIComponent(TRACE_STORE_PASSWORD),
    // The credential inside the header value.
    TRACE_STORE_PASSWORD.split(' ')[1],
    TRACE_QUERY_TOKEN,
    TRACE_QUERY_TOKEN.split(' ')[1],
  ]) {
    expect(everything).not.toContain(secret);
    expect(logs).not.toContain(secret);
  }
});
