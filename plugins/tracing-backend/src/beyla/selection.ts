/**
 * Which pods a request's discovery entry selects, as Tracegate renders the
 * entry (namespace, the owner of the request's kind, pod labels, open ports)
 * and Beyla matches it: the owner as Beyla's informer names it (a ReplicaSet's
 * Deployment guessed from its name), label values as globs, ports as ranges,
 * and none in the namespaces Beyla excludes. Pure; checked against Beyla's
 * own matcher by the oracle's fixtures (src/beyla/oracle.test.ts).
 */
import { TracingRequest } from '@tracegate/plugin-tracing-common';
import { PodShape } from './serviceName';

/** `80,443,8000-8999` as ranges. */
export function parseOpenPorts(openPorts: string): Array<[number, number]> {
  return openPorts.split(',').map(part => {
    const [low, high = low] = part.split('-').map(Number);
    return [low, high];
  });
}

/** Whether any of `ports` is in the `open_ports` ranges. */
export function portsMatch(openPorts: string, ports: number[]): boolean {
  const ranges = parseOpenPorts(openPorts);
  return ports.some(port =>
    ranges.some(([low, high]) => port >= low && port <= high),
  );
}

/** A Beyla glob (`*`, `?`) as an anchored regular expression. */
export function globRegExp(glob: string): RegExp {
  const body = glob
    .split('')
    .map(c => {
      if (c === '*') return '.*';
      if (c === '?') return '.';
      return c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${body}$`, 's');
}

/** Whether the pod is one of the request's target's (namespace and owner). */
export function isTargetPod(
  request: Pick<TracingRequest, 'namespace' | 'workload'>,
  pod: Pick<PodShape, 'namespace' | 'owners'>,
): boolean {
  return (
    pod.namespace === request.namespace &&
    pod.owners.some(
      o => o.kind === request.workload.kind && o.name === request.workload.name,
    )
  );
}

/**
 * Whether the request's entry selects a process of the pod that listens on
 * `ports`, in a namespace Beyla does not exclude.
 */
export function entrySelects(
  request: Pick<
    TracingRequest,
    'namespace' | 'workload' | 'podLabels' | 'openPorts'
  >,
  pod: Pick<PodShape, 'namespace' | 'owners' | 'labels'>,
  ports: number[],
  excludedNamespaces: readonly string[],
): boolean {
  if (!isTargetPod(request, pod)) return false;
  if (excludedNamespaces.includes(pod.namespace)) return false;
  for (const [key, glob] of Object.entries(request.podLabels ?? {})) {
    const value = pod.labels?.[key];
    if (value === undefined || !globRegExp(glob).test(value)) return false;
  }
  return !request.openPorts || portsMatch(request.openPorts, ports);
}
