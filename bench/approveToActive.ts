/*
 * yarn bench:approve-to-active
 *
 * Approve → applied → active on the local control plane with 3 KWOK nodes
 * (pods start as soon as KWOK sees them: this measures Tracegate and the
 * Kubernetes controllers, not a real Beyla's start-up), with 0, 1,000 and
 * 5,000 other live requests on the cluster (10,000 do not fit one Beyla
 * ConfigMap with a sampler per entry: see bench:config-size). 50 approvals,
 * one after the other, each for another workload, so each rolls the
 * DaemonSet. "applied": the objects accepted by the API server; "active":
 * the rollout done. p50 and p95 in milliseconds; DaemonSet rollouts counted
 * from its generation.
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
const APPROVALS = QUICK ? 5 : 50;
const BACKGROUND = QUICK ? [0, 100] : [0, 1_000, 5_000];

async function measure(
  cluster: LocalControlPlane,
  token: string,
  others: number,
) {
  const namespace = `beyla-bench-${others}`;
  const settings = benchClusterSettings(cluster, token, namespace);
  const { store, clusters, reconciler, close } = await benchReconciler(
    settings,
    { rolloutPollMs: 100 },
  );
  const file = async (name: string, ns: string) => {
    const at = new Date().toISOString();
    const filed = await store.create(
      { ...NEW_REQUEST, namespace: ns, workload: { kind: 'Deployment', name } },
      { actor: 'bench', at },
    );
    return filed;
  };
  const approve = (id: string) =>
    store.transition({
      id,
      from: 'pending',
      to: 'approved',
      actor: 'bench',
      at: new Date().toISOString(),
    });
  async function untilActive(id: string) {
    for (;;) {
      const request = await store.get(id);
      if (request?.status === 'active') return;
      if (request?.status === 'failed')
        throw new Error(request.lastApply?.error);
      await new Promise(r => setTimeout(r, 20));
    }
  }
  // The other live requests, applied and rolled out once.
  const background = [];
  for (let i = 0; i < others; i++) {
    const { id } = await file(`other-${i}`, `team-${i % 50}`);
    await approve(id);
    background.push(id);
  }
  if (background.length) {
    await reconciler.reconcile('local');
    await untilActive(background[background.length - 1]);
  }
  const api = clusters.api(settings);
  const generation = () => beylaGeneration(api, namespace);
  const generationBefore = await generation();
  const applied: number[] = [];
  const active: number[] = [];
  for (let i = 0; i < APPROVALS; i++) {
    const { id } = await file(`bench-${i}`, 'shop');
    const start = performance.now();
    await approve(id);
    await reconciler.reconcile('local');
    applied.push(performance.now() - start);
    await untilActive(id);
    active.push(performance.now() - start);
  }
  const rollouts = (await generation()) - generationBefore;
  await close();
  return {
    others,
    appliedP50: percentile(applied, 50),
    appliedP95: percentile(applied, 95),
    activeP50: percentile(active, 50),
    activeP95: percentile(active, 95),
    rollouts,
  };
}

async function main() {
  const rows = await withCluster(async (cluster, token) => {
    const measured = [];
    for (const others of BACKGROUND) {
      measured.push(await measure(cluster, token, others));
    }
    return measured;
  });
  const ms = (x: number) => `${x.toFixed(0)} ms`;
  report(
    'approve-to-active',
    rows,
    [
      ['other live requests', r => r.others.toLocaleString('en-US')],
      ['applied p50', r => ms(r.appliedP50)],
      ['applied p95', r => ms(r.appliedP95)],
      ['active p50', r => ms(r.activeP50)],
      ['active p95', r => ms(r.activeP95)],
      ['DaemonSet rollouts', r => `${r.rollouts} for ${APPROVALS} approvals`],
    ],
    [
      `${APPROVALS} approvals one after the other; 3 KWOK nodes; SQLite`,
      '10,000 other live requests: not measured, their Beyla config (a sampler per entry) exceeds a ConfigMap (bench:config-size)',
    ],
  );
}

main().catch(error => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
