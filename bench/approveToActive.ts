/*
 * yarn bench:approve-to-active
 *
 * Approve → applied → active on the local control plane with 3 KWOK nodes
 * (pods start as soon as KWOK sees them: this measures Tracegate and the
 * Kubernetes controllers, not a real Beyla's start-up; bench:node-scale
 * measures restarts), with 0 to 20,000 other live requests on the cluster
 * (realisticWorkloads). 50 approvals, one after the other, each for another
 * workload (with no pods: nothing for Beyla to restart, so this is
 * Tracegate's own cost: render, apply of the new config, the node plan).
 * "applied": the objects accepted by the API server; "active": the request
 * recorded active. p50 and p95 in milliseconds; Beyla pods restarted counted
 * from their uids.
 */
import { LocalControlPlane } from '@internal/local-kube';
import { NEW_REQUEST } from '../plugins/tracing-backend/src/__testUtils__/fixtures';
import { report } from './report';
import { realisticWorkloads } from '@internal/beyla-oracle';
import { SamplerName } from '@tracegate/plugin-tracing-common';
import { BEYLA_POD_SELECTOR } from '../plugins/tracing-backend/src/render';
import {
  benchClusterSettings,
  fileInStore,
  benchReconciler,
  percentile,
  withCluster,
} from './setup';

// BENCH_QUICK=1: a short run that checks the bench itself works.
const QUICK = Boolean(process.env.BENCH_QUICK);
const APPROVALS = QUICK ? 5 : 50;
const BACKGROUND = QUICK ? [0, 100] : [0, 1_000, 5_000, 10_000, 20_000];

async function measure(
  cluster: LocalControlPlane,
  token: string,
  others: number,
) {
  const namespace = `beyla-bench-${others}`;
  const settings = await benchClusterSettings(cluster, token, namespace);
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
  for (const w of realisticWorkloads(others)) {
    background.push(
      await fileInStore(
        store,
        {
          namespace: w.namespace,
          workload: { kind: w.kind, name: w.name },
          sampling: { sampler: w.sampler as SamplerName, ratio: w.ratio },
          ...(w.openPorts ? { openPorts: w.openPorts } : {}),
        },
        { to: 'approved' },
      ),
    );
  }
  if (background.length) {
    await reconciler.reconcile('local');
    await untilActive(background[background.length - 1]);
  }
  const api = clusters.api(settings);
  const beylaPods = async () =>
    new Set(
      (
        await api.list(
          { apiVersion: 'v1', kind: 'Pod' },
          BEYLA_POD_SELECTOR,
          namespace,
        )
      ).map(p => (p.metadata as { uid?: string }).uid),
    );
  const podsBefore = await beylaPods();
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
  const podsAfter = await beylaPods();
  const restarted = [...podsBefore].filter(uid => !podsAfter.has(uid)).length;
  await close();
  return {
    others,
    appliedP50: percentile(applied, 50),
    appliedP95: percentile(applied, 95),
    activeP50: percentile(active, 50),
    activeP95: percentile(active, 95),
    restarted,
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
      [
        'Beyla pods restarted',
        r => `${r.restarted} for ${APPROVALS} approvals`,
      ],
    ],
    [
      `${APPROVALS} approvals one after the other; 3 KWOK nodes; SQLite`,
      'the other requests are of realisticWorkloads (bench:config-size); their workloads run no pods',
    ],
  );
}

main().catch(error => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
