import { TraceStoreSettings } from '../clusters/config';
import {
  getJson,
  nanosToIso,
  TraceQuery,
  TraceStore,
  TraceStoreError,
} from './TraceStore';

/** One entry of Tempo's `/api/search` answer. */
type TempoSearchTrace = {
  traceID: string;
  rootServiceName?: string;
  rootTraceName?: string;
  startTimeUnixNano: string;
  durationMs?: number;
};

/**
 * Grafana Tempo's HTTP API: `GET /api/search` with a TraceQL `q` (the
 * target's resource attributes, see `traceLookup`), `start`
 * and `end` in epoch seconds, and `limit`. Tempo's search answer carries no
 * error flag, so a second search adds `status = error` to the same query.
 */
export class TempoTraceStore implements TraceStore {
  constructor(private readonly settings: TraceStoreSettings) {}

  async search(query: TraceQuery) {
    const [all, failed] = await Promise.all([
      this.searchTraceQL(traceQL(query), query),
      query.flagErrors === false
        ? undefined
        : this.searchTraceQL(traceQL(query, 'status = error'), query).catch(
            () => undefined,
          ),
    ]);
    const failedIds = failed && new Set(failed.map(t => t.traceID));
    return all
      .map(trace => ({
        traceId: trace.traceID.padStart(32, '0'),
        startTime: nanosToIso(trace.startTimeUnixNano),
        rootServiceName: trace.rootServiceName ?? '',
        rootSpanName: trace.rootTraceName ?? '',
        durationMs: trace.durationMs ?? 0,
        ...(failedIds ? { error: failedIds.has(trace.traceID) } : {}),
      }))
      .sort((a, b) => b.startTime.localeCompare(a.startTime))
      .slice(0, query.limit);
  }

  private async searchTraceQL(
    q: string,
    query: TraceQuery,
  ): Promise<TempoSearchTrace[]> {
    const body = (await getJson(
      this.settings,
      '/api/search',
      new URLSearchParams({
        q,
        start: String(Math.floor(query.fromMs / 1000)),
        end: String(Math.ceil(query.toMs / 1000)),
        limit: String(query.limit),
      }),
    )) as { traces?: unknown };
    if (!body || typeof body !== 'object' || !('traces' in body)) {
      // Tempo leaves `traces` out when nothing matched.
      return [];
    }
    if (!Array.isArray(body.traces)) {
      throw new TraceStoreError('Tempo answered a search without a list');
    }
    return body.traces.filter(
      (t): t is TempoSearchTrace =>
        typeof t?.traceID === 'string' &&
        /^[0-9a-fA-F]{1,32}$/.test(t.traceID) &&
        /^\d+$/.test(String(t.startTimeUnixNano)),
    );
  }
}

/** The query's TraceQL, with one more condition inside the braces. */
export function traceQL(query: TraceQuery, extra?: string): string {
  const base = query.lookup.traceQL;
  return extra ? `${base.slice(0, -2)} && ${extra} }` : base;
}
