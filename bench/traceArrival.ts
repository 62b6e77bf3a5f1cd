/*
 * yarn bench:trace-arrival
 *
 * The "traces arriving" check at 1,000 active requests against a real trace
 * store (Jaeger v2, in memory), 100 of whose workloads have sent spans. One
 * pass = one search per active request (4 at a time). Prints the searches
 * per pass, the pass's wall time (median of 5), and what that means in
 * searches per minute at the default frequency (2 minutes). The grace period
 * is set beyond the test so that no pass reads the cluster: the reasons are
 * read only for requests with no trace after it (2 reads each and one list of Beyla's pods per pass, see
 * whyNoTraces).
 */
import { sendSpans, startJaeger } from '@internal/local-kube';
import { quietLogger } from './quiet';
import { report } from './report';
import { fileInStore, memoryStore } from './setup';
import { ClusterRegistry } from '../plugins/tracing-backend/src/clusters/ClusterRegistry';
import { TraceArrivalChecker } from '../plugins/tracing-backend/src/traces/TraceArrivalChecker';
import { testClusterSettings } from '../plugins/tracing-backend/src/__testUtils__/fixtures';

const ACTIVE = 1_000;
const SENDING = 100;
const RUNS = 5;
const DEFAULT_FREQUENCY_MIN = 2;

async function main() {
  const jaeger = await startJaeger();
  try {
    const { knex, store } = await memoryStore();
    const at = new Date(Date.now() - 60_000).toISOString();
    for (let i = 0; i < ACTIVE; i++) {
      await fileInStore(
        store,
        { workload: { kind: 'Deployment', name: `w${i}` } },
        { to: 'active', at },
      );
    }
    for (let i = 0; i < SENDING; i++) {
      await sendSpans(
        jaeger.otlpHttpUrl,
        { 'service.name': `w${i}`, 'k8s.namespace.name': 'shop' },
        Array.from({ length: 5 }, (_, n) => ({
          name: `GET /${n}`,
          durationMs: 10,
        })),
      );
    }
    const checker = new TraceArrivalChecker({
      store,
      clusters: new ClusterRegistry([
        testClusterSettings({
          traces: { type: 'jaeger', url: jaeger.queryUrl },
        }),
      ]),
      logger: quietLogger,
      graceMs: 3_600_000,
    });
    const times: number[] = [];
    let pass;
    for (let run = 0; run < RUNS; run++) {
      const start = performance.now();
      pass = await checker.checkAll();
      times.push(performance.now() - start);
    }
    const seen = (
      await store.listByCluster({ cluster: 'local', statuses: ['active'] })
    ).filter(r => r.traces?.lastSeenAt).length;
    times.sort((a, b) => a - b);
    const median = times[Math.floor(RUNS / 2)];
    report(
      'trace-arrival',
      [
        {
          active: ACTIVE,
          sending: SENDING,
          seen,
          searchesPerPass: pass!.queries,
          failed: pass!.failed,
          passMedianMs: median,
          passSlowestMs: times[RUNS - 1],
          searchesPerMinute: pass!.queries / DEFAULT_FREQUENCY_MIN,
        },
      ],
      [
        [
          'active requests',
          r => `${r.active} (${r.sending} sending; ${r.seen} seen)`,
        ],
        ['searches / pass', r => `${r.searchesPerPass} (failed ${r.failed})`],
        [
          'pass',
          r =>
            `median ${r.passMedianMs.toFixed(
              0,
            )} ms, slowest ${r.passSlowestMs.toFixed(0)} ms`,
        ],
        [
          'searches / minute',
          r => `${r.searchesPerMinute} at the default 2 min`,
        ],
      ],
      [
        'one search per active request per pass, 4 in flight, against Jaeger v2 in memory on loopback',
      ],
    );
    await knex.destroy();
  } finally {
    await jaeger.stop();
  }
}

main().catch(error => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
