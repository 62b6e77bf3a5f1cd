import { deploymentManifest, LocalControlPlane } from '@internal/local-kube';
import { Knex } from 'knex';
import { parse } from 'yaml';
import { KubeApi } from '../clusters/KubeApi';
import {
  startTracingBackend,
  TracingTestBackend,
} from '../__testUtils__/backend';
import { createTestDatabases } from '../__testUtils__/databases';
import { requestInput, TestUser } from '../__testUtils__/fixtures';
import {
  adminApi,
  localClusterConfig,
  startSeededCluster,
} from '../__testUtils__/kube';

jest.setTimeout(300_000);

const databases = createTestDatabases();
const postgres = databases
  .eachSupportedId()
  .filter(([id]) => id.startsWith('POSTGRES'));

const WORKLOADS = 24;
const workloadName = (i: number) => `replica-${i}`;

let cluster: LocalControlPlane;
let token: string;
let admin: KubeApi;

beforeAll(async () => {
  ({ cluster, token } = await startSeededCluster());
  admin = adminApi(cluster);
  // checkout's own workloads: its kubernetes-id label, in shop.
  for (let i = 0; i < WORKLOADS; i++) {
    const name = workloadName(i);
    await admin.apply(
      deploymentManifest({
        namespace: 'shop',
        name,
        entityId: 'checkout',
      }) as never,
      { force: true },
    );
  }
}, 300_000);

afterAll(async () => {
  admin?.close();
  await cluster?.stop();
});

/** Entries of Beyla's discovery config as the cluster holds it now. */
async function discoveryEntries(): Promise<number> {
  const configMap = await admin.get({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'beyla-config', namespace: 'beyla' },
  });
  const text = (configMap as { data?: Record<string, string> } | undefined)
    ?.data?.['beyla-config.yml'];
  if (!text) return 0;
  return parse(text)?.discovery?.instrument?.length ?? 0;
}

describe.each(postgres)('two backend replicas on one %p', databaseId => {
  let knex: Knex;
  const replicas: TracingTestBackend[] = [];

  beforeAll(async () => {
    knex = await databases.init(databaseId);
    for (let replica = 0; replica < 2; replica++) {
      replicas.push(
        await startTracingBackend({
          knex,
          tracing: {
            maxDuration: { days: 30 },
            reconcileFrequency: { seconds: 5 },
            clusters: [localClusterConfig(cluster, { token })],
          },
        }),
      );
    }
  });

  const post = (replica: number, path: string, body: object, user: TestUser) =>
    replicas[replica].post(path, body, user);
  const get = (path: string) => replicas[0].get(path, 'ada');

  it('never writes an older view over a newer one, and every request ends active', async () => {
    const ids: string[] = [];
    for (let i = 0; i < WORKLOADS - 1; i++) {
      const res = await post(
        i % 2,
        '/requests',
        requestInput({
          workload: { kind: 'Deployment', name: workloadName(i) },
        }),
        'guest',
      );
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }

    // Watch the entry count while approvals land on both replicas at once.
    const counts: number[] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        counts.push(await discoveryEntries());
        await new Promise(r => setTimeout(r, 20));
      }
    })();
    const answers = await Promise.all(
      ids.map((id, i) => post(i % 2, `/requests/${id}/approve`, {}, 'ada')),
    );
    expect(answers.map(a => a.status)).toEqual(ids.map(() => 200));

    const deadline = Date.now() + 120_000;
    for (;;) {
      const statuses = await Promise.all(
        ids.map(async id => (await get(`/requests/${id}`)).body.status),
      );
      if (statuses.every(s => s === 'active')) break;
      if (Date.now() > deadline) {
        throw new Error(`not all active: ${statuses.join(', ')}`);
      }
      await new Promise(r => setTimeout(r, 500));
    }
    watching = false;
    await watcher;
    counts.push(await discoveryEntries());

    // Only approvals happened: the count never went down.
    const decreases = counts.filter((c, i) => i > 0 && c < counts[i - 1]);
    expect(decreases).toEqual([]);
    expect(counts.at(-1)).toBe(ids.length);
    // eslint-disable-next-line no-console
    console.log(
      `discovery entries while approving across 2 replicas: ${[
        ...new Set(counts),
      ].join(' → ')}`,
    );

    // One history row per move, none twice.
    for (const id of ids) {
      const { history } = (await get(`/requests/${id}`)).body;
      expect(history.map((h: { to: string }) => h.to)).toEqual([
        'pending',
        'approved',
        'active',
      ]);
    }
  });

  it('reconciles within a minute after the lease holder dies mid-pass', async () => {
    // What a replica killed mid-pass leaves: the lease, held and never renewed.
    await knex('tracing_clusters')
      .where({ cluster: 'local' })
      .update({
        lease_holder: 'killed-replica',
        lease_expires_at: Date.now() + 15_000,
      });
    const before = await discoveryEntries();
    const filed = await post(
      1,
      '/requests',
      requestInput({
        workload: { kind: 'Deployment', name: workloadName(WORKLOADS - 1) },
      }),
      'guest',
    );
    expect(filed.status).toBe(201);
    const started = Date.now();
    expect(
      (await post(1, `/requests/${filed.body.id}/approve`, {}, 'ada')).status,
    ).toBe(200);
    while ((await discoveryEntries()) === before) {
      if (Date.now() - started > 60_000) {
        throw new Error('no pass within 60 s of the holder dying');
      }
      await new Promise(r => setTimeout(r, 250));
    }
    const seconds = (Date.now() - started) / 1000;
    // The immediate pass was turned away by the dead lease; a scheduled one
    // took over when it expired.
    expect(seconds).toBeGreaterThan(5);
    expect(seconds).toBeLessThan(60);
    // eslint-disable-next-line no-console
    console.log(`reconciled ${seconds.toFixed(1)} s after the holder died`);
  });
});
