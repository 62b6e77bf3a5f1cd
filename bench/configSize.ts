/*
 * yarn bench:config-size
 *
 * Bytes of beyla-config.yml (the ConfigMap Tracegate renders) for 10,000 and
 * 20,000 workloads of a large cluster (realisticWorkloads: names of realistic
 * length over 25 workloads a namespace, mostly Deployments, 85 % with the
 * form's default sampler, 5 % with an open port), the largest number that
 * fits a ConfigMap (1 MiB: the API server's limit on an object's data), and
 * the time to render and to read back 20,000 (median of 15).
 */
import { realisticWorkloads } from '@internal/beyla-oracle';
import { SamplerName, TracingRequest } from '@tracegate/plugin-tracing-common';
import {
  parseBeylaSelections,
  renderBeylaConfig,
} from '../plugins/tracing-backend/src/render';
import {
  testClusterSettings,
  tracingRequest,
} from '../plugins/tracing-backend/src/__testUtils__/fixtures';
import { report } from './report';

const MIB = 1024 * 1024;
const QUICK = Boolean(process.env.BENCH_QUICK);

// A cluster of n workloads is realisticWorkloads(n): namespaces grow with n.
const requestsFor = (n: number): TracingRequest[] =>
  realisticWorkloads(n).map((w, i) =>
    tracingRequest(`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, {
      namespace: w.namespace,
      workload: { kind: w.kind, name: w.name },
      sampling: { sampler: w.sampler as SamplerName, ratio: w.ratio },
      ...(w.openPorts ? { openPorts: w.openPorts } : {}),
      status: 'active',
    }),
  );
const REQUESTS_20000 = requestsFor(20_000);

function configText(image: string, n: number): string {
  const cluster = testClusterSettings({ beyla: { image } });
  const requests = n === 20_000 ? REQUESTS_20000 : requestsFor(n);
  return renderBeylaConfig(requests, cluster.beyla, cluster.tempo);
}

function largestFitting(image: string): number {
  let low = 0;
  let high = 60_000;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (Buffer.byteLength(configText(image, mid)) <= MIB) low = mid;
    else high = mid - 1;
  }
  return low;
}

function median(run: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < (QUICK ? 3 : 15); i++) {
    const start = performance.now();
    run();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

const rows = [
  ['grafana/beyla:3.33.0', 'instrument, entry samplers, grouped'],
  ['grafana/beyla:2.5.1', 'instrument, one shared sampler, grouped'],
  ['grafana/beyla:2.4.0', 'services (regex), one entry each'],
].map(([image, dialect]) => {
  const cluster = testClusterSettings({ beyla: { image } });
  const text = configText(image, 20_000);
  return {
    image,
    dialect,
    bytes10000: Buffer.byteLength(configText(image, 10_000)),
    bytes20000: Buffer.byteLength(text),
    largestFitting: largestFitting(image),
    renderMs: median(() =>
      renderBeylaConfig(REQUESTS_20000, cluster.beyla, cluster.tempo),
    ),
    readBackMs: median(() => parseBeylaSelections(text)),
  };
});

const kb = (bytes: number) =>
  `${(bytes / 1024).toFixed(0)} KiB${bytes > MIB ? ' (over)' : ''}`;
report('config-size', rows, [
  ['Beyla image', r => r.image],
  ['dialect', r => r.dialect],
  ['10,000', r => kb(r.bytes10000)],
  ['20,000', r => kb(r.bytes20000)],
  ['largest N in 1 MiB', r => r.largestFitting.toLocaleString('en-US')],
  ['render 20,000', r => `${r.renderMs.toFixed(0)} ms`],
  ['read back 20,000', r => `${r.readBackMs.toFixed(0)} ms`],
]);
