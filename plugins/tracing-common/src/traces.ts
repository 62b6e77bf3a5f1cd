import {
  BeylaNaming,
  TraceArrival,
  TraceLookup,
  TracingRequest,
  WorkloadKind,
} from './domain';

/**
 * A time relative to now, in the one form every Tracegate view uses: "12 s
 * ago", "4 min ago", "3 h ago", "in 2 d". A time less than a second ahead
 * (a clock a little fast) reads as now, "0 s ago".
 *
 * @public
 */
export function relativeTime(iso: string, now: number = Date.now()): string {
  const ms = Date.parse(iso) - now;
  const seconds = Math.round(Math.abs(ms) / 1000);
  let span = `${Math.round(seconds / 86_400)} d`;
  if (seconds < 60) span = `${seconds} s`;
  else if (seconds < 3600) span = `${Math.round(seconds / 60)} min`;
  else if (seconds < 86_400) span = `${Math.round(seconds / 3600)} h`;
  return ms >= 1000 ? `in ${span}` : `${ms > 0 ? '0 s' : span} ago`;
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
    ? `traces seen ${relativeTime(
        traces.lastSeenAt,
        now,
      )} (${count} in the last 15 min)`
    : 'no traces yet';
  if (traces.error) {
    return `${seen}; the trace store could not be asked ${relativeTime(
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

const OWNER_ATTRIBUTES: Record<WorkloadKind, string> = {
  Deployment: 'k8s.deployment.name',
  StatefulSet: 'k8s.statefulset.name',
  DaemonSet: 'k8s.daemonset.name',
};

/**
 * The resource attributes that identify an eBPF target's spans whatever
 * their service name: Beyla sets `k8s.namespace.name` and one owner
 * attribute per kind on every span. Undefined for the native method.
 *
 * @public
 */
export function kubernetesIdentity(
  request: Pick<TracingRequest, 'method' | 'namespace' | 'workload'>,
): Array<{ attribute: string; value: string }> | undefined {
  const owner = OWNER_ATTRIBUTES[request.workload.kind as WorkloadKind];
  if (request.method !== 'ebpf' || !owner) return undefined;
  return [
    { attribute: 'k8s.namespace.name', value: request.namespace },
    { attribute: owner, value: request.workload.name },
  ];
}

/**
 * "Beyla will name it `shop-cart` (label app.kubernetes.io/instance)", with
 * each container's name when they differ.
 *
 * @public
 */
export function describeBeylaNaming(naming: BeylaNaming): string {
  const distinct = new Map<string, string[]>();
  for (const n of naming.names) {
    const key = `\`${n.name}\` (${n.nameSource})`;
    distinct.set(key, [...(distinct.get(key) ?? []), n.container]);
  }
  if (!distinct.size) return 'Beyla will name it: no container found';
  const text =
    distinct.size === 1
      ? `Beyla will name it ${[...distinct.keys()][0]}`
      : `Beyla will name its containers ${[...distinct.entries()]
          .map(([name, containers]) => `${containers.join(', ')}: ${name}`)
          .join('; ')}`;
  const unresolved = naming.names.find(n => n.unresolved)?.unresolved;
  return unresolved
    ? `${text}; not known before the pod runs: ${unresolved}`
    : text;
}

/**
 * How a request's traces are found: eBPF by the target's Kubernetes
 * identity (and, for a store that needs service names, the names Beyla
 * gives its pods, as last resolved; the owner's name before any was);
 * Prometheus by its own service name, `prometheus`.
 *
 * @public
 */
export function traceLookup(
  request: Pick<
    TracingRequest,
    'method' | 'namespace' | 'workload' | 'targetCheck'
  >,
): TraceLookup {
  const identity = kubernetesIdentity(request);
  const resource = identity ?? [
    { attribute: 'service.name', value: 'prometheus' },
  ];
  const named = [
    ...new Set(
      (request.targetCheck?.beyla?.names ?? [])
        .map(n => n.name)
        .filter(name => name !== ''),
    ),
  ].sort();
  let serviceNames = ['prometheus'];
  if (identity) serviceNames = named.length ? named : [request.workload.name];
  return {
    resource,
    serviceNames,
    traceQL: `{ ${resource
      .map(r => `resource.${r.attribute} = ${JSON.stringify(r.value)}`)
      .join(' && ')} }`,
  };
}
