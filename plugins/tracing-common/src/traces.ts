import { TraceArrival, TracingRequest } from './domain';

/**
 * How long ago, in the words the tab and the queue use: "12 s ago",
 * "4 min ago", "3 h ago", "2 d ago".
 *
 * @public
 */
export function timeAgo(iso: string, now: number = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86_400)} d ago`;
}

/**
 * The "traces arriving" line of an active request: "traces seen 12 s ago
 * (34 in the last 15 min)", "no traces yet", or why the store could not be
 * asked. The reasons, when there are some, are listed beside it.
 *
 * @public
 */
export function describeTraceArrival(
  traces: TraceArrival | undefined,
  now: number = Date.now(),
): string {
  if (!traces) return 'traces not checked yet';
  const count = `${traces.countLast15m}${traces.countCapped ? '+' : ''}`;
  const seen = traces.lastSeenAt
    ? `traces seen ${timeAgo(
        traces.lastSeenAt,
        now,
      )} (${count} in the last 15 min)`
    : 'no traces yet';
  if (traces.error) {
    return `${seen}; the trace store could not be asked ${timeAgo(
      traces.checkedAt,
      now,
    )}: ${traces.error}`;
  }
  return seen;
}

/**
 * The fraction of new traces a request's sampler keeps: 1 for always_on, 0
 * for always_off, else its ratio.
 *
 * @public
 */
export function sampledFraction(
  request: Pick<TracingRequest, 'sampling'>,
): number {
  switch (request.sampling.sampler) {
    case 'always_on':
    case 'parentbased_always_on':
      return 1;
    case 'always_off':
    case 'parentbased_always_off':
      return 0;
    default:
      return request.sampling.ratio;
  }
}
