/*
 * yarn bench:status-poll
 *
 * What one entity-tab poll costs (GET /entities/.../status: the entity's
 * requests from the store, then EntityStatusService) with 1,000 and 10,000
 * other live requests on the cluster, after one reconcile pass recorded
 * what it found: p50 and p99 of 200 polls, and the API-server reads and bytes
 * the polls made (counted by the cluster's KubeApi, as bench:reconcile-cost
 * counts them). Before this round a poll rendered the cluster and read it:
 * 5,000 others cost p50 631 ms, p99 2.1 s, 6.8 reads and 795 KB a poll.
 */
import { realisticWorkloads } from '@internal/beyla-oracle';
import { SamplerName } from '@tracegate/plugin-tracing-common';
import { EntityStatusService } from '../plugins/tracing-backend/src/status/EntityStatusService';
import { report } from './report';
import {
  benchClusterSettings,
  benchReconciler,
  fileInStore,
  percentile,
  withCluster,
} from './setup';

const QUICK = Boolean(process.env.BENCH_QUICK);
const POLLS = QUICK ? 20 : 200;
const OTHERS = QUICK ? [100] : [1_000, 10_000];

async function main() {
  const rows = await withCluster(async (cluster, token) => {
    const measured = [];
    for (const others of OTHERS) {
      const namespace = `beyla-status-${others}`;
      const settings = await benchClusterSettings(cluster, token, namespace);
      const { store, clusterStore, clusters, reconciler, close } =
        await benchReconciler(settings);
      for (const w of realisticWorkloads(others)) {
        await fileInStore(store, {
          namespace: w.namespace,
          workload: { kind: w.kind, name: w.name },
          sampling: { sampler: w.sampler as SamplerName, ratio: w.ratio },
        });
      }
      await fileInStore(store, {});
      await reconciler.reconcile('local');
      const service = new EntityStatusService({ clusterStore, clusters });
      const api = clusters.api(settings);
      const before = { ...api.stats };
      const times: number[] = [];
      for (let i = 0; i < POLLS; i++) {
        const start = performance.now();
        const { items } = await store.list({
          entityRef: 'component:default/checkout',
          limit: 100,
        });
        await service.entityStatus(items);
        times.push(performance.now() - start);
      }
      measured.push({
        others,
        p50: percentile(times, 50),
        p99: percentile(times, 99),
        readsPerPoll: (api.stats.reads - before.reads) / POLLS,
        bytesPerPoll: (api.stats.bytesReceived - before.bytesReceived) / POLLS,
      });
      await close();
    }
    return measured;
  });
  report(
    'status-poll',
    rows,
    [
      ['other live requests', r => r.others.toLocaleString('en-US')],
      ['p50', r => `${r.p50.toFixed(1)} ms`],
      ['p99', r => `${r.p99.toFixed(1)} ms`],
      ['API-server reads / poll', r => String(r.readsPerPoll)],
      ['bytes read / poll', r => String(r.bytesPerPoll)],
    ],
    [`${POLLS} polls for one entity with one request; SQLite in memory`],
  );
}

main().catch(error => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
