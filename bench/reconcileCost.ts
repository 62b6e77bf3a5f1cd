/*
 * yarn bench:reconcile-cost
 *
 * One reconcile pass at N = 100, 1,000 and 5,000 live requests over 50
 * namespaces, on the local control plane (3 KWOK nodes): wall time, API
 * requests (reads, writes) and bytes, for a pass that applies a change (one
 * more request) and for an idle pass (nothing to change). In the same run,
 * on the same control plane, `kubectl apply --server-side` of the identical
 * rendered objects, changed the same way and unchanged; its requests are
 * counted from its own -v=6 log. Medians of 5.
 */
import { LocalControlPlane } from '@internal/local-kube';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { KubeApi } from '../plugins/tracing-backend/src/clusters/KubeApi';
import { Reconciler } from '../plugins/tracing-backend/src/reconcile/Reconciler';
import { renderCluster } from '../plugins/tracing-backend/src/render';
import { ClusterSettings } from '../plugins/tracing-backend/src/clusters/config';
import { report } from './report';
import {
  benchClusterSettings,
  benchReconciler,
  fileInStore,
  withCluster,
} from './setup';

const run = promisify(execFile);
const SIZES =
  process.env.BENCH_DEBUG || process.env.BENCH_QUICK
    ? [100]
    : [100, 1_000, 5_000];
const RUNS = 5;

type Measure = { ms: number; reads: number; writes: number; bytes: number };

const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function medianOf(measures: Measure[]): Measure {
  return {
    ms: median(measures.map(m => m.ms)),
    reads: median(measures.map(m => m.reads)),
    writes: median(measures.map(m => m.writes)),
    bytes: median(measures.map(m => m.bytes)),
  };
}

async function setup(cluster: LocalControlPlane, token: string, n: number) {
  const settings = await benchClusterSettings(
    cluster,
    token,
    `beyla-bench-${n}`,
  );
  // Passes only when the bench asks: no rollout polling between them.
  const { store, clusters, reconciler, close } = await benchReconciler(
    settings,
    { rolloutPollMs: 3_600_000, retryBaseMs: 3_600_000 },
  );
  let added = 0;
  async function addRequest() {
    const i = added++;
    await fileInStore(store, {
      namespace: `team-${String(i % 50).padStart(2, '0')}`,
      workload: { kind: 'Deployment', name: `service-${i}` },
    });
  }
  for (let i = 0; i < n; i++) await addRequest();
  const api = clusters.api(settings);
  if (process.env.BENCH_DEBUG) {
    const original = (api as any).request.bind(api);
    (api as any).request = (method: string, p: string, o: unknown) => {
      if (method !== 'GET')
        process.stderr.write(`  ${method} ${p.slice(0, 120)}\n`);
      return original(method, p, o);
    };
  }
  return { store, settings, reconciler, api, addRequest, close };
}

async function timedPass(
  reconciler: Reconciler,
  api: KubeApi,
): Promise<Measure> {
  const before = { ...api.stats };
  const start = performance.now();
  const result = await reconciler.reconcile('local');
  const ms = performance.now() - start;
  if (process.env.BENCH_DEBUG) {
    process.stderr.write(
      `pass: applied ${
        result.applied.join(', ') || 'nothing'
      }; errors ${JSON.stringify(result.errors).slice(
        0,
        300,
      )} ${result.clusterErrors.join('; ').slice(0, 300)}\n`,
    );
  }
  return {
    ms,
    reads: api.stats.reads - before.reads,
    writes: api.stats.writes - before.writes,
    bytes:
      api.stats.bytesSent -
      before.bytesSent +
      api.stats.bytesReceived -
      before.bytesReceived,
  };
}

/**
 * The objects Tracegate renders, for kubectl to apply beside them: its own
 * Beyla namespace and cluster-scoped names, or kubectl would own Tracegate's
 * fields and Tracegate's next apply would (rightly) stop at the conflict.
 */
function kubectlCopy(
  settings: ClusterSettings,
  live: Parameters<typeof renderCluster>[1],
  n: number,
) {
  const suffix = `-kubectl-${n}`;
  const objects = renderCluster(
    {
      ...settings,
      beyla: { ...settings.beyla, namespace: `kubectl-bench-${n}` },
    },
    live,
  );
  return objects.map(o => {
    const copy = JSON.parse(JSON.stringify(o));
    // Not Tracegate's: it removes objects with its label that it no longer
    // wants (and releases namespaces it did not create).
    delete copy.metadata.labels?.['app.kubernetes.io/managed-by'];
    if (o.kind === 'ClusterRole' || o.kind === 'ClusterRoleBinding') {
      copy.metadata.name += suffix;
      if (copy.roleRef) copy.roleRef.name += suffix;
    }
    return copy;
  });
}

async function kubectlApply(
  cluster: LocalControlPlane,
  file: string,
): Promise<Measure> {
  const start = performance.now();
  const { stderr } = await run(
    'kubectl',
    [
      '--kubeconfig',
      cluster.kubeconfigFile,
      'apply',
      '--server-side',
      '--field-manager=kubectl-bench',
      '--force-conflicts',
      '-v=6',
      '-f',
      file,
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const ms = performance.now() - start;
  // -v=6 logs each call: `] GET https://... 200 OK` (round_trippers) or
  // `verb="GET" url="https://..."` (newer kubectl).
  const calls = stderr
    .split('\n')
    .map(l =>
      /\] (GET|PATCH|POST|PUT|DELETE) https?:\/\/|verb="(GET|PATCH|POST|PUT|DELETE)"/.exec(
        l,
      ),
    )
    .filter((m): m is RegExpExecArray => Boolean(m))
    .map(m => m[1] ?? m[2]);
  if (process.env.BENCH_DEBUG) {
    process.stderr.write(`${stderr.split('\n').slice(0, 8).join('\n')}\n`);
  }
  return {
    ms,
    reads: calls.filter(verb => verb === 'GET').length,
    writes: calls.filter(verb => verb !== 'GET').length,
    bytes: fs.statSync(file).size,
  };
}

async function main() {
  const { stdout: kubectlVersion } = await run('kubectl', [
    'version',
    '--client',
  ]);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracegate-bench-'));
  const rows: Array<{
    n: number;
    tracegate: { change: Measure; idle: Measure };
    kubectl: { change: Measure; idle: Measure };
    ratioChange: number;
    ratioIdle: number;
  }> = [];
  try {
    await withCluster(async (cluster, token) => {
      for (const n of SIZES) {
        const bench = await setup(cluster, token, n);
        await bench.reconciler.reconcile('local'); // create everything once
        const change: Measure[] = [];
        const idle: Measure[] = [];
        const kubectlChange: Measure[] = [];
        const kubectlIdle: Measure[] = [];
        for (let r = 0; r < RUNS; r++) {
          // kubectl: one more request's objects, then the same again.
          await bench.addRequest();
          const live = await bench.store.listByCluster({
            cluster: 'local',
            statuses: ['approved', 'active', 'failed'],
          });
          const file = path.join(dir, `objects-${n}-${r}.yaml`);
          fs.writeFileSync(
            file,
            kubectlCopy(bench.settings, live, n)
              .map(o => `---\n${stringify(o)}`)
              .join(''),
          );
          kubectlChange.push(await kubectlApply(cluster, file));
          kubectlIdle.push(await kubectlApply(cluster, file));
          // Tracegate: one more request, then a pass with nothing to do.
          await bench.addRequest();
          change.push(await timedPass(bench.reconciler, bench.api));
          idle.push(await timedPass(bench.reconciler, bench.api));
        }
        await bench.close();
        const t = { change: medianOf(change), idle: medianOf(idle) };
        const k = {
          change: medianOf(kubectlChange),
          idle: medianOf(kubectlIdle),
        };
        rows.push({
          n,
          tracegate: t,
          kubectl: k,
          ratioChange: t.change.ms / k.change.ms,
          ratioIdle: t.idle.ms / k.idle.ms,
        });
      }
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const f = (m: Measure) =>
    `${m.ms.toFixed(0)} ms, ${m.reads} r / ${m.writes} w, ${(
      m.bytes / 1024
    ).toFixed(0)} KiB`;
  report(
    'reconcile-cost',
    rows,
    [
      ['N', r => r.n.toLocaleString('en-US')],
      ['Tracegate change pass', r => f(r.tracegate.change)],
      ['kubectl apply (change)', r => f(r.kubectl.change)],
      ['ratio', r => `${r.ratioChange.toFixed(2)}×`],
      ['Tracegate idle pass', r => f(r.tracegate.idle)],
      [
        'kubectl apply (no change)',
        r =>
          `${r.kubectl.idle.ms.toFixed(0)} ms, ${r.kubectl.idle.reads} r / ${
            r.kubectl.idle.writes
          } w`,
      ],
      ['ratio', r => `${r.ratioIdle.toFixed(2)}×`],
    ],
    [
      `kubectl: ${
        kubectlVersion.split('\n')[0]
      } (its bytes: the YAML file it sends)`,
      'Tracegate bytes: request and answer bodies; r/w: API reads and writes',
    ],
  );
}

main().catch(error => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
