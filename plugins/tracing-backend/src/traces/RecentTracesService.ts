import {
  LIVE_TRACING_REQUEST_STATUSES,
  RecentTraces,
  traceLookup,
  TracingRequest,
} from '@tracegate/plugin-tracing-common';
import { ClusterRegistry } from '../clusters/ClusterRegistry';
import { traceUrl } from './links';
import { lookupNote } from './lookupNote';
import { createTraceStore } from './createTraceStore';
import { TraceStoreError } from './TraceStore';

const WINDOW_MS = 3_600_000;
const LIMIT = 20;

/**
 * `GET /requests/:id/traces`: the target's traces of the last hour (of a
 * request that ended: the hour before it ended), newest first. The browser
 * never talks to the store; a store that does not answer is an `error` in
 * the answer, not a failed request.
 *
 * @internal
 */
export class RecentTracesService {
  constructor(
    private readonly options: {
      clusters: ClusterRegistry;
      now?: () => number;
    },
  ) {}

  async recent(request: TracingRequest): Promise<RecentTraces> {
    const now = this.options.now?.() ?? Date.now();
    const live = LIVE_TRACING_REQUEST_STATUSES.includes(request.status);
    const toMs = live ? now : Math.min(now, Date.parse(request.updatedAt));
    const fromMs = toMs - WINDOW_MS;
    const lookup = traceLookup(request);
    const cluster = this.options.clusters.find(request.cluster);
    const note = lookupNote(request, lookup, cluster?.traces?.type ?? 'tempo');
    const answer: RecentTraces = {
      requestId: request.id,
      cluster: request.cluster,
      lookup,
      from: new Date(fromMs).toISOString(),
      to: new Date(toMs).toISOString(),
      items: [],
      ...(note ? { note } : {}),
    };
    if (!cluster?.traces) {
      return {
        ...answer,
        error: `No trace store is configured for cluster ${request.cluster} (tracing.clusters[].traces)`,
      };
    }
    try {
      const items = await createTraceStore(cluster.traces).search({
        lookup,
        fromMs,
        toMs,
        limit: LIMIT,
      });
      return {
        ...answer,
        store: cluster.traces.type,
        items: items.map(item => {
          const url = traceUrl(cluster, item.traceId);
          return url ? { ...item, url } : item;
        }),
      };
    } catch (error) {
      if (!(error instanceof TraceStoreError)) throw error;
      return { ...answer, store: cluster.traces.type, error: error.message };
    }
  }
}
