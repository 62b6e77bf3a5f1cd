/*
 * yarn bench:rollout-churn
 *
 * Beyla configs applied for 100 approvals spread evenly over 60 s, and for
 * one approval, on the local control plane (3 KWOK nodes), without an apply
 * window and with windows of 2 s and 5 s (tracing.applyWindow): each config
 * restarts Beyla on the nodes it concerns. Also approve → active p50/p95 for
 * each. Configs are counted from the DaemonSet's generation (its template
 * names each new one).
 */
import { LocalControlPlane } from '@internal/local-kube';
import { NEW_REQUEST } from '../plugins/tracing-backend/src/__testUtils__/fixtures';
import { report } from './report';
import {
  beylaGeneration,
  benchClusterSettings,
  benchReconciler,
  percentile,
  withCluster,
} from './setup';

// BENCH_QUICK=1: a short run that checks the bench itself works.
const QUICK = Boolean(process.env.BENCH_QUICK);
const SPREAD_MS = QUICK ? 6_000 : 60_000;
const BURST = QUICK ? 10 : 100;
const WINDOWS_MS = [0, 2_000, 5_000];

async function scenario(
  cluster: LocalControlPlane,
  token: string,
  approvals: number,
  windowMs: number,
) {
  const namespace = `beyla-churn-${approvals}-${windowMs}`;
  const settings = await benchClusterSettings(cluster, token, namespace);
  const { store, clusters, transitions, close } = await benchReconciler(
    settings,
    { rolloutPollMs: 100, applyWindowMs: windowMs, reconcileOnChange: true },
  );
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
  const rollouts = await beylaGeneration(clusters.api(settings), namespace);
  await close();
  const times = [...activeAfter.values()];
  return {
    approvals,
    windowMs,
    rollouts,
    activeP50: percentile(times, 50),
    activeP95: percentile(times, 95),
    notActive: approvals - times.length,
  };
}

async function main() {
  const rows = await withCluster(async (cluster, token) => [
    await scenario(cluster, token, 1, 0),
    ...(await WINDOWS_MS.reduce(
      async (done, windowMs) => [
        ...(await done),
        await scenario(cluster, token, BURST, windowMs),
      ],
      Promise.resolve([] as Awaited<ReturnType<typeof scenario>>[]),
    )),
  ]);
  report(
    'rollout-churn',
    rows,
    [
      ['approvals', r => String(r.approvals)],
      ['apply window', r => `${r.windowMs / 1000} s`],
      ['Beyla configs applied', r => String(r.rollouts)],
      ['approve → active p50', r => `${r.activeP50.toFixed(0)} ms`],
      ['p95', r => `${r.activeP95.toFixed(0)} ms`],
      ['not active', r => String(r.notActive)],
    ],
    [
      `${BURST} approvals: one every ${SPREAD_MS / BURST} ms over ${
        SPREAD_MS / 1000
      } s; rollouts = the DaemonSet's generation (creation included)`,
    ],
  );
}

main().catch(error => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
