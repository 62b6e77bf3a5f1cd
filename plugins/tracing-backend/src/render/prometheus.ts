import { TracingRequest } from '@tracegate/plugin-tracing-common';
import { TempoSettings } from '../clusters/config';
import { otlpCaConfigMap, OTLP_CA_CONFIG_MAP, OTLP_CA_KEY } from './tempo';
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
  const sorted = [...newest.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([, r]) => r);
  const headers = Object.keys(tempo.headers).length
    ? { headers: tempo.headers }
    : {};
  // The operator reads the CA from a ConfigMap in the CR's namespace.
  const caConfigMaps = tempo.caPem
    ? [...new Set(sorted.map(r => r.namespace))].map(ns =>
        otlpCaConfigMap(tempo.caPem!, ns),
      )
    : [];
  return [
    ...caConfigMaps,
    ...sorted.map(r => ({
      ...PROMETHEUS_KIND,
      metadata: { name: r.workload.name, namespace: r.namespace },
      spec: {
        tracingConfig: {
          clientType: tempo.protocol === 'grpc' ? 'grpc' : 'http',
          // Bare host:port: Prometheus sends nothing to a URL with a scheme,
          // and its http client always posts to /v1/traces.
          endpoint: tempo.otlpEndpoint,
          insecure: tempo.insecure,
          samplingFraction: String(r.sampling.ratio),
          ...headers,
          ...(tempo.caPem
            ? {
                tlsConfig: {
                  ca: {
                    configMap: { name: OTLP_CA_CONFIG_MAP, key: OTLP_CA_KEY },
                  },
                },
              }
            : {}),
        },
      },
    })),
  ];
}
