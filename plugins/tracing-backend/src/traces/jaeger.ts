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
 * It searches by service name only: one search per name Beyla gives the
 * target's pods, then only traces with a span whose resource carries the
 * target's identity are kept (another namespace's service of the same name
 * is not the target).
 */
export class JaegerTraceStore implements TraceStore {
  constructor(private readonly settings: TraceStoreSettings) {}

  async search(query: TraceQuery) {
    const answers = await Promise.all(
      query.lookup.serviceNames.map(name => this.searchService(name, query)),
    );
    const traces = new Map<string, Omit<TraceSummary, 'url'>>();
    for (const trace of answers.flat()) traces.set(trace.traceId, trace);
    return [...traces.values()]
      .sort((a, b) => b.startTime.localeCompare(a.startTime))
      .slice(0, query.limit);
  }

  private async searchService(service: string, query: TraceQuery) {
    const body = (await getJson(
      this.settings,
      '/api/v3/traces',
      new URLSearchParams({
        'query.service_name': service,
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
    return summarize(resourceSpans as OtlpResourceSpans[], query);
  }
}

/** OTLP spans grouped into one summary per trace of the query's target. */
function summarize(
  resourceSpans: OtlpResourceSpans[],
  query: TraceQuery,
): Omit<TraceSummary, 'url'>[] {
  const traces = new Map<
    string,
    { spans: Array<OtlpSpan & { service: string }>; ofTarget: boolean }
  >();
  for (const rs of resourceSpans) {
    const attribute = (key: string) =>
      rs.resource?.attributes?.find(a => a.key === key)?.value?.stringValue;
    const service = attribute('service.name') ?? '';
    const ofTarget = query.lookup.resource.every(
      r => attribute(r.attribute) === r.value,
    );
    for (const span of (rs.scopeSpans ?? []).flatMap(s => s.spans ?? [])) {
      const traceId = hexId(span.traceId);
      const trace = traces.get(traceId) ?? { spans: [], ofTarget: false };
      trace.spans.push({ ...span, service });
      trace.ofTarget ||= ofTarget;
      traces.set(traceId, trace);
    }
  }
  return [...traces.entries()]
    .filter(([, trace]) => trace.ofTarget)
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
