/*
 * yarn bench:config-size
 *
 * Bytes of beyla-config.yml (the ConfigMap Tracegate renders) per 1,000
 * discovery entries, for each Beyla dialect, and the largest number of
 * workloads whose config fits a ConfigMap (1 MiB: the API server's limit on
 * an object's data). Requests are spread over 50 namespaces with names of
 * realistic length.
 */
import {
  TracingRequest,
  TracingRequestStatus,
} from '@tracegate/plugin-tracing-common';
import { renderCluster } from '../plugins/tracing-backend/src/render';
import { BEYLA_CONFIG_KEY } from '../plugins/tracing-backend/src/render';
import {
  testClusterSettings,
  tracingRequest,
} from '../plugins/tracing-backend/src/__testUtils__/fixtures';
import { report } from './report';

const MIB = 1024 * 1024;

function requests(n: number): TracingRequest[] {
  return Array.from({ length: n }, (_, i) =>
    tracingRequest(`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, {
      namespace: `team-${String(i % 50).padStart(2, '0')}-services`,
      workload: { kind: 'Deployment', name: `service-${i}-api` },
      openPorts: '8080',
      sampling: { sampler: 'parentbased_traceidratio', ratio: 0.25 },
      status: 'active' as TracingRequestStatus,
    }),
  );
}

function configBytes(image: string, n: number): number {
  const cluster = testClusterSettings({ beyla: { image } });
  const configMap = renderCluster(cluster, requests(n)).find(
    o => o.kind === 'ConfigMap' && (o.data as any)?.[BEYLA_CONFIG_KEY],
  )!;
  // The API server limits the sum of the values' bytes.
  return Object.values(configMap.data as Record<string, string>).reduce(
    (sum, value) => sum + Buffer.byteLength(value),
    0,
  );
}

function largestFitting(image: string): number {
  let low = 0;
  let high = 100_000;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (configBytes(image, mid) <= MIB) low = mid;
    else high = mid - 1;
  }
  return low;
}

const rows = [
  ['grafana/beyla:3.33.0', 'instrument, a sampler per entry'],
  ['grafana/beyla:2.5.1', 'instrument, one shared sampler'],
  ['grafana/beyla:2.4.0', 'services (regex)'],
].map(([image, dialect]) => {
  const per1000 = configBytes(image, 1000);
  const fits = largestFitting(image);
  return {
    image,
    dialect,
    bytesPer1000: per1000,
    largestFitting: fits,
    fits5000: fits >= 5000,
  };
});

report('config-size', rows, [
  ['Beyla image', r => r.image],
  ['dialect', r => r.dialect],
  ['bytes / 1,000 entries', r => r.bytesPer1000.toLocaleString('en-US')],
  ['largest N in 1 MiB', r => r.largestFitting.toLocaleString('en-US')],
  ['5,000 fit', r => (r.fits5000 ? 'yes' : 'NO')],
]);
