/** The env var that carries the trace store's headers to Beyla's exporter. */
export const OTLP_HEADERS_ENV = 'OTEL_EXPORTER_OTLP_TRACES_HEADERS';

const REDACTED = '<redacted: tracing.clusters[].tempo.headers>';

/**
 * The object as the browser may see it: the trace store's headers
 * (`tempo.headers`, which may hold a credential) replaced by a marker, in
 * Beyla's env and in a Prometheus CR's `tracingConfig.headers`. Works on
 * rendered and on live objects; returns a copy.
 */
export function redactForBrowser<T>(object: T): T {
  if (object === undefined) return object;
  return JSON.parse(JSON.stringify(object), (key, value) => {
    if (
      value &&
      typeof value === 'object' &&
      value.name === OTLP_HEADERS_ENV &&
      typeof value.value === 'string'
    ) {
      return { ...value, value: REDACTED };
    }
    if (key === 'tracingConfig' && value?.headers) {
      return {
        ...value,
        headers: Object.fromEntries(
          Object.keys(value.headers).map(name => [name, REDACTED]),
        ),
      };
    }
    return value;
  });
}
