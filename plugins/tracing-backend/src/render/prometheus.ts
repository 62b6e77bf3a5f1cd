import { TracingRequest } from '@tracegate/plugin-tracing-common';
import { TempoSettings } from '../clusters/config';
import { KubeObject, PROMETHEUS_KIND } from './types';

/**
 * One server-side apply patch per Prometheus CR named by a request: only
 * `spec.tracingConfig`, so the operator's and the platform's fields stay theirs.
 * When several live requests name one CR, the newest wins.
 */
export function renderPrometheus(
  requests: TracingRequest[],
  tempo: TempoSettings,
): KubeObject[] {
  const newest = new Map<string, TracingRequest>();
  for (const r of requests) {
    const key = `${r.namespace}/${r.workload.name}`;
    const current = newest.get(key);
    if (!current || r.createdAt > current.createdAt) newest.set(key, r);
  }
  return [...newest.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([, r]) => ({
      ...PROMETHEUS_KIND,
      metadata: { name: r.workload.name, namespace: r.namespace },
      spec: {
        tracingConfig: {
          clientType: tempo.protocol === 'grpc' ? 'grpc' : 'http',
          endpoint: tempo.otlpEndpoint,
          insecure: tempo.insecure,
          samplingFraction: String(r.sampling.ratio),
        },
      },
    }));
}
