import { TraceSummary } from '@tracegate/plugin-tracing-common';
import { TraceStoreSettings } from '../clusters/config';
import {
  getJson,
  nanosToIso,
  TraceQuery,
  TraceStore,
  TraceStoreError,
} from './TraceStore';

type OtlpAttribute = { key: string; value?: { stringValue?: string } };
type OtlpSpan = {
  traceId: string;
  parentSpanId?: string;
  name: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  status?: { code?: number | string };
};
type OtlpResourceSpans = {
  resource?: { attributes?: OtlpAttribute[] };
  scopeSpans?: Array<{ spans?: OtlpSpan[] }>;
};

/**
 * Jaeger v2's query API: `GET /api/v3/traces` with `query.service_name`,
 * both `query.start_time_min` and `query.start_time_max` (RFC 3339) and
 * `query.num_traces`. It answers OTLP JSON spans, and 404 when none match.
 */
export class JaegerTraceStore implements TraceStore {
  constructor(private readonly settings: TraceStoreSettings) {}

  async search(query: TraceQuery) {
    const body = (await getJson(
      this.settings,
      '/api/v3/traces',
      new URLSearchParams({
        'query.service_name': query.service,
        'query.start_time_min': new Date(query.fromMs).toISOString(),
        'query.start_time_max': new Date(query.toMs).toISOString(),
        'query.num_traces': String(query.limit),
      }),
      { notFoundIsEmpty: true },
    )) as { result?: { resourceSpans?: unknown } } | undefined;
    if (body === undefined) return [];
    const resourceSpans = body?.result?.resourceSpans;
    if (!Array.isArray(resourceSpans)) {
      throw new TraceStoreError('Jaeger answered without result.resourceSpans');
    }
    return summarize(resourceSpans as OtlpResourceSpans[], query)
      .sort((a, b) => b.startTime.localeCompare(a.startTime))
      .slice(0, query.limit);
  }
}

/** OTLP spans grouped into one summary per trace. */
function summarize(
  resourceSpans: OtlpResourceSpans[],
  query: TraceQuery,
): Omit<TraceSummary, 'url'>[] {
  const traces = new Map<
    string,
    { spans: Array<OtlpSpan & { service: string }>; inNamespace: boolean }
  >();
  for (const rs of resourceSpans) {
    const attribute = (key: string) =>
      rs.resource?.attributes?.find(a => a.key === key)?.value?.stringValue;
    const service = attribute('service.name') ?? '';
    const namespace = attribute('k8s.namespace.name');
    for (const span of (rs.scopeSpans ?? []).flatMap(s => s.spans ?? [])) {
      const traceId = hexId(span.traceId);
      const trace = traces.get(traceId) ?? { spans: [], inNamespace: false };
      trace.spans.push({ ...span, service });
      // The query's service in the query's namespace, when spans carry one.
      if (
        service === query.service &&
        (!query.namespace || !namespace || namespace === query.namespace)
      ) {
        trace.inNamespace = true;
      }
      traces.set(traceId, trace);
    }
  }
  return [...traces.entries()]
    .filter(([, trace]) => trace.inNamespace)
    .map(([traceId, { spans }]) => {
      const starts = spans.map(s => BigInt(s.startTimeUnixNano));
      const ends = spans.map(s => BigInt(s.endTimeUnixNano));
      const start = starts.reduce((a, b) => (b < a ? b : a));
      const end = ends.reduce((a, b) => (b > a ? b : a));
      const root =
        spans.find(s => !s.parentSpanId) ??
        spans.find(s => BigInt(s.startTimeUnixNano) === start)!;
      return {
        traceId,
        startTime: nanosToIso(start.toString()),
        rootServiceName: root.service,
        rootSpanName: root.name,
        durationMs: Number(end - start) / 1e6,
        error: spans.some(
          s => s.status?.code === 2 || s.status?.code === 'STATUS_CODE_ERROR',
        ),
      };
    });
}

/** Trace ids come as hex, or as base64 from some encoders: hex either way. */
function hexId(id: string): string {
  return /^[0-9a-f]{32}$/i.test(id)
    ? id.toLowerCase()
    : Buffer.from(id, 'base64').toString('hex');
}
