import { LoggerService } from '@backstage/backend-plugin-api';
import {
  TargetCheck,
  TraceArrival,
  traceLookup,
  TracingRequest,
} from '@tracegate/plugin-tracing-common';
import { ClusterRegistry } from '../clusters/ClusterRegistry';
import { ClusterSettings } from '../clusters/config';
import { TracingRequestStore } from '../database/TracingRequestStore';
import { createTraceStore } from './createTraceStore';
import { TraceStore, TraceStoreError } from './TraceStore';
import { ClusterReader, clusterReader, whyNoTraces } from './whyNoTraces';

/** The window `countLast15m` counts. */
const COUNT_WINDOW_MS = 15 * 60_000;
/** Enough to say "traces arrive"; a count at the limit is shown as "100+". */
const COUNT_LIMIT = 100;
/** Queries in flight at once, per pass. */
const CONCURRENCY = 4;
/**
 * After this many store failures in a row, the cluster's other requests
 * are not queried this pass: a store that is down costs a few timeouts,
 * not one per request.
 */
const FAILURES_BEFORE_SKIP = 3;

/** What one pass did, for the logs and the benchmark. */
export type ArrivalPass = { checked: number; queries: number; failed: number };

/**
 * "Traces arriving": for every `active` request on a cluster with a trace
 * store, one search for its target's traces since it turned active (at
 * most the last 15 minutes), recorded on the request as `traces`. When none
 * has been seen after the grace period, the request also gets the reasons
 * Tracegate can check itself (see whyNoTraces).
 *
 * @internal
 */
export class TraceArrivalChecker {
  constructor(
    private readonly options: {
      store: TracingRequestStore;
      clusters: ClusterRegistry;
      logger: LoggerService;
      /** How long after activation "none yet" becomes "no traces". */
      graceMs: number;
      now?: () => number;
    },
  ) {}

  async checkAll(): Promise<ArrivalPass> {
    const pass: ArrivalPass = { checked: 0, queries: 0, failed: 0 };
    for (const cluster of this.options.clusters.clusters) {
      if (!cluster.traces) continue;
      const active = await this.options.store.listByCluster({
        cluster: cluster.name,
        statuses: ['active'],
      });
      await this.checkCluster(cluster, active, pass);
    }
    return pass;
  }

  private async checkCluster(
    cluster: ClusterSettings,
    requests: TracingRequest[],
    pass: ArrivalPass,
  ) {
    const traceStore = createTraceStore(cluster.traces!);
    const reader = clusterReader(cluster, this.options.clusters.api(cluster));
    let failuresInARow = 0;
    let skipWith: string | undefined;
    const queue = [...requests];
    const worker = async () => {
      for (let request = queue.shift(); request; request = queue.shift()) {
        let found: { traces: TraceArrival; targetCheck?: TargetCheck };
        if (skipWith) {
          found = { traces: this.failed(request, skipWith) };
        } else {
          pass.queries += 1;
          found = await this.check(cluster, traceStore, reader, request);
          failuresInARow = found.traces.error ? failuresInARow + 1 : 0;
          if (failuresInARow >= FAILURES_BEFORE_SKIP)
            skipWith = found.traces.error;
        }
        if (found.traces.error) pass.failed += 1;
        pass.checked += 1;
        await this.options.store.recordTraceArrival({
          id: request.id,
          ...found,
        });
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    if (skipWith) {
      this.options.logger.warn(
        `Trace store of cluster ${cluster.name} failed ${FAILURES_BEFORE_SKIP} times in a row; skipped the rest of this pass: ${skipWith}`,
      );
    }
  }

  /** One request: one search, and the reasons when none has arrived. */
  async check(
    cluster: ClusterSettings,
    traceStore: TraceStore,
    reader: ClusterReader,
    request: TracingRequest,
  ): Promise<{ traces: TraceArrival; targetCheck?: TargetCheck }> {
    const now = this.options.now?.() ?? Date.now();
    const activatedMs = Date.parse(request.updatedAt);
    let found;
    try {
      found = await traceStore.search({
        lookup: traceLookup(request),
        fromMs: Math.max(now - COUNT_WINDOW_MS, activatedMs),
        toMs: now,
        limit: COUNT_LIMIT,
        flagErrors: false,
      });
    } catch (error) {
      if (!(error instanceof TraceStoreError)) throw error;
      return { traces: this.failed(request, error.message, now) };
    }
    const newest = found[0]?.startTime;
    const lastSeenAt = newest ?? request.traces?.lastSeenAt;
    const arrival: TraceArrival = {
      checkedAt: new Date(now).toISOString(),
      ...(lastSeenAt ? { lastSeenAt } : {}),
      countLast15m: found.length,
      ...(found.length >= COUNT_LIMIT ? { countCapped: true } : {}),
    };
    if (lastSeenAt || now - activatedMs < this.options.graceMs) {
      return { traces: arrival };
    }
    const { reasons, beyla } = await whyNoTraces(request, cluster, reader);
    arrival.reasons = reasons.length
      ? reasons
      : [
          `nothing Tracegate can check on cluster ${cluster.name} keeps traces away: see the exporter's logs (Beyla or Prometheus) for errors sending to ${cluster.tempo.otlpEndpoint}`,
        ];
    // Beyla's names for the running pods, for the next lookup.
    const renamed =
      beyla &&
      request.targetCheck &&
      JSON.stringify(beyla.names) !==
        JSON.stringify(request.targetCheck.beyla?.names);
    return {
      traces: arrival,
      ...(renamed ? { targetCheck: { ...request.targetCheck!, beyla } } : {}),
    };
  }

  /** The store did not answer: the last known figures stay, with why. */
  private failed(
    request: TracingRequest,
    error: string,
    now = this.options.now?.() ?? Date.now(),
  ): TraceArrival {
    const { reasons: _stale, ...known } = request.traces ?? {
      countLast15m: 0,
    };
    return { ...known, checkedAt: new Date(now).toISOString(), error };
  }
}
