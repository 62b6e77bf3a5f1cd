/*
 * yarn bench:rollout-churn
 *
 * Beyla DaemonSet rollouts caused by 100 approvals spread evenly over 60 s,
 * and by one approval, on the local control plane (3 KWOK nodes), without
 * an apply window and with windows of 2 s and 5 s (tracing.applyWindow):
 * each rollout restarts Beyla on every node. Also approve → active p50/p95
 * for each. Rollouts are counted from the DaemonSet's generation.
 */
import { mockServices } from '@backstage/backend-test-utils';
import {
  createTracegateServiceAccount,
  LocalControlPlane,
  seedPlatform,
  startControlPlane,
} from '@internal/local-kube';
import Knex from 'knex';
import { ClusterRegistry } from '../plugins/tracing-backend/src/clusters/ClusterRegistry';
import { DatabaseTracingRequestStore } from '../plugins/tracing-backend/src/database/DatabaseTracingRequestStore';
import { RequestTransitions } from '../plugins/tracing-backend/src/lifecycle/RequestTransitions';
import { Reconciler } from '../plugins/tracing-backend/src/reconcile/Reconciler';
import {
  NEW_REQUEST,
  testClusterSettings,
} from '../plugins/tracing-backend/src/__testUtils__/fixtures';
import { quietAuditor, quietLogger } from './quiet';
import { report } from './report';

const SPREAD_MS = 60_000;
const WINDOWS_MS = [0, 2_000, 5_000];

const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[
    Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))
  ];

async function scenario(
  cluster: LocalControlPlane,
  token: string,
  approvals: number,
  windowMs: number,
) {
  const knex = Knex({
    client: 'better-sqlite3',
    connection: ':memory:',
    useNullAsDefault: true,
  });
  const store = await DatabaseTracingRequestStore.create({
    database: mockServices.database({ knex }),
  });
  const namespace = `beyla-churn-${approvals}-${windowMs}`;
  const settings = testClusterSettings({
    url: cluster.url,
    serviceAccountToken: token,
    caData: Buffer.from(cluster.caData).toString('base64'),
    beyla: { namespace },
  });
  const clusters = new ClusterRegistry([settings]);
  const transitions = new RequestTransitions({
    store,
    auditor: quietAuditor,
    logger: quietLogger,
    // As in the plugin: a change to the live set asks for a pass.
    onLiveSetChange: request => reconciler.reconcileSoon(request.cluster),
  });
  const reconciler: Reconciler = new Reconciler({
    store,
    clusters,
    transitions,
    logger: quietLogger,
    rolloutPollMs: 100,
    applyWindowMs: windowMs,
  });
  const approvedAt = new Map<string, number>();
  const activeAfter = new Map<string, number>();
  const watcher = setInterval(async () => {
    for (const r of await store.listByCluster({
      cluster: 'local',
      statuses: ['active'],
    })) {
      if (!activeAfter.has(r.id) && approvedAt.has(r.id)) {
        activeAfter.set(r.id, performance.now() - approvedAt.get(r.id)!);
      }
    }
  }, 50);
  const gap = approvals > 1 ? SPREAD_MS / approvals : 0;
  for (let i = 0; i < approvals; i++) {
    const at = new Date().toISOString();
    const filed = await store.create(
      { ...NEW_REQUEST, workload: { kind: 'Deployment', name: `churn-${i}` } },
      { actor: 'bench', at },
    );
    approvedAt.set(filed.id, performance.now());
    await transitions.transition(filed, 'approve', { actor: 'bench' });
    if (gap) await new Promise(r => setTimeout(r, gap));
  }
  const deadline = Date.now() + 60_000;
  while (activeAfter.size < approvals && Date.now() < deadline) {
    await new Promise(r => setTimeout(r, 100));
  }
  clearInterval(watcher);
  const daemonSet = await clusters.api(settings).get({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'beyla', namespace },
  });
  reconciler.stop();
  clusters.close();
  await knex.destroy();
  const times = [...activeAfter.values()];
  return {
    approvals,
    windowMs,
    rollouts: Number(
      (daemonSet?.metadata as { generation?: number } | undefined)
        ?.generation ?? 0,
    ),
    activeP50: percentile(times, 50),
    activeP95: percentile(times, 95),
    notActive: approvals - times.length,
  };
}

async function main() {
  const cluster = await startControlPlane({ nodes: 3 });
  const rows = [];
  try {
    await seedPlatform(cluster);
    const token = await createTracegateServiceAccount(cluster);
    rows.push(await scenario(cluster, token, 1, 0));
    for (const windowMs of WINDOWS_MS) {
      rows.push(await scenario(cluster, token, 100, windowMs));
    }
  } finally {
    await cluster.stop();
  }
  report(
    'rollout-churn',
    rows,
    [
      ['approvals', r => String(r.approvals)],
      ['apply window', r => `${r.windowMs / 1000} s`],
      ['DaemonSet rollouts', r => String(r.rollouts)],
      ['approve → active p50', r => `${r.activeP50.toFixed(0)} ms`],
      ['p95', r => `${r.activeP95.toFixed(0)} ms`],
      ['not active', r => String(r.notActive)],
    ],
    [
      `100 approvals: one every ${SPREAD_MS / 100} ms over ${
        SPREAD_MS / 1000
      } s; rollouts = the DaemonSet's generation (creation included)`,
    ],
  );
}

main().catch(error => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
