import { deploymentManifest } from '@internal/local-kube';
import { Knex } from 'knex';
import { Watch } from '@kubernetes/client-node';
import { configMapOfBeylaPod, parseBeylaSelections } from '../render';
import { waitUntil } from '../__testUtils__/wait';
import {
  startTracingBackend,
  TracingTestBackend,
} from '../__testUtils__/backend';
import { createTestDatabases } from '../__testUtils__/databases';
import { requestInput, TestUser } from '../__testUtils__/fixtures';
import {
  liveBeylaConfig,
  localClusterConfig,
  useSeededCluster,
} from '../__testUtils__/kube';

jest.setTimeout(300_000);

const databases = createTestDatabases();
const postgres = databases
  .eachSupportedId()
  .filter(([id]) => id.startsWith('POSTGRES'));

const WORKLOADS = 25;
/** The first test approves all but the last two; each later test one more. */
const APPROVED_TOGETHER = WORKLOADS - 2;
const workloadName = (i: number) => `replica-${i}`;

const kube = useSeededCluster({
  // checkout's own workloads: its kubernetes-id label, in shop.
  seed: async ({ admin }) => {
    for (let i = 0; i < WORKLOADS; i++) {
      await admin.apply(
        deploymentManifest({
          namespace: 'shop',
          name: workloadName(i),
          entityId: 'checkout',
        }) as never,
        { force: true },
      );
    }
  },
});

/** Targets of the config Beyla's DaemonSet names now (0 without one). */
async function selectedTargets(): Promise<number> {
  const text = (await liveBeylaConfig(kube.admin))?.text;
  return text === undefined ? 0 : parseBeylaSelections(text).targets.size;
}

/**
 * Every config Beyla's DaemonSet names, in order, from a watch on it: the
 * count of targets each selects (configs never change, only the name does).
 */
async function watchSelectedTargets() {
  const counts: number[] = [];
  const seen = new Map<string, number>();
  let pending = Promise.resolve();
  const watch = new Watch(kube.cluster.kubeConfig());
  const request = await watch.watch(
    '/apis/apps/v1/namespaces/beyla/daemonsets',
    {},
    (_phase, daemonSet) => {
      const name = configMapOfBeylaPod(daemonSet.spec?.template ?? {});
      if (!name) return;
      pending = pending.then(async () => {
        if (!seen.has(name)) {
          const configMap = await kube.admin.get({
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name, namespace: 'beyla' },
          });
          const text = (
            configMap?.data as Record<string, string> | undefined
          )?.['beyla-config.yml'];
          seen.set(name, text ? parseBeylaSelections(text).targets.size : -1);
        }
        counts.push(seen.get(name)!);
      });
    },
    () => undefined,
  );
  return {
    counts,
    async stop() {
      request.abort();
      await pending;
    },
  };
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
            clusters: [localClusterConfig(kube.cluster, { token: kube.token })],
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
    for (let i = 0; i < APPROVED_TOGETHER; i++) {
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

    // Every config the DaemonSet names while approvals land on both
    // replicas at once.
    const watcher = await watchSelectedTargets();
    const answers = await Promise.all(
      ids.map((id, i) => post(i % 2, `/requests/${id}/approve`, {}, 'ada')),
    );
    expect(answers.map(a => a.status)).toEqual(ids.map(() => 200));
    await waitUntil(
      'every request active',
      async () => {
        const statuses = await Promise.all(
          ids.map(async id => (await get(`/requests/${id}`)).body.status),
        );
        return statuses.every(status => status === 'active');
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    await watcher.stop();

    // Only approvals happened: no config ever selected fewer targets than
    // the one before it, and the last selects them all.
    const { counts } = watcher;
    expect(counts.length).toBeGreaterThan(0);
    expect(counts.filter((c, i) => i > 0 && c < counts[i - 1])).toEqual([]);
    expect(await selectedTargets()).toBe(ids.length);

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
    const before = await selectedTargets();
    const filed = await post(
      1,
      '/requests',
      requestInput({
        workload: { kind: 'Deployment', name: workloadName(APPROVED_TOGETHER) },
      }),
      'guest',
    );
    expect(filed.status).toBe(201);
    const started = Date.now();
    expect(
      (await post(1, `/requests/${filed.body.id}/approve`, {}, 'ada')).status,
    ).toBe(200);
    await waitUntil(
      'a pass after the holder died',
      async () => (await selectedTargets()) !== before,
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    // The immediate pass was turned away by the dead lease; a retry took
    // over when it expired (the lease's 15 s), not before.
    expect(Date.now() - started).toBeGreaterThan(10_000);
  });

  it("applies a change made on one replica as soon as the other's pass ends", async () => {
    // Another replica in the middle of a pass: it holds the lease, renewed,
    // and lets it go after 2 s.
    const holder = 'replica-in-a-pass';
    const expires = Date.now() + 15_000;
    await knex('tracing_clusters')
      .where({ cluster: 'local' })
      .update({ lease_holder: holder, lease_expires_at: expires });
    const released = new Promise<number>(resolve =>
      setTimeout(async () => {
        await knex('tracing_clusters')
          .where({ cluster: 'local', lease_holder: holder })
          .update({ lease_holder: null, lease_expires_at: null });
        resolve(Date.now());
      }, 2_000),
    );
    const name = workloadName(APPROVED_TOGETHER + 1);
    const filed = await post(
      1,
      '/requests',
      requestInput({ workload: { kind: 'Deployment', name } }),
      'guest',
    );
    expect(filed.status).toBe(201);
    const before = await selectedTargets();
    expect(
      (await post(1, `/requests/${filed.body.id}/approve`, {}, 'ada')).status,
    ).toBe(200);
    await waitUntil(
      'the change applied',
      async () => (await selectedTargets()) !== before,
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    const applied = Date.now();
    // Applied after the holder let go, long before its lease would have run
    // out: the turned-away pass did not wait for the lease's expiry.
    expect(applied).toBeGreaterThanOrEqual(await released);
    expect(applied).toBeLessThan(expires - 5_000);
  });
});
