import { TraceLookup, TracingRequest } from '@tracegate/plugin-tracing-common';

/**
 * What a lookup of the request's traces may include or miss, in words for
 * the tab: other Prometheus servers sharing the name `prometheus`; for eBPF,
 * names Beyla gives that Tracegate has not resolved yet (a store that
 * searches by service name), and pods that set their own Kubernetes
 * attributes over Beyla's.
 */
export function lookupNote(
  request: TracingRequest,
  lookup: TraceLookup,
  store: 'tempo' | 'jaeger',
): string | undefined {
  if (request.method === 'prometheus') {
    return 'Prometheus names its traces "prometheus" and carries no namespace: traces of other Prometheus servers sending to this store are listed too';
  }
  const notes: string[] = [];
  const naming = request.targetCheck?.beyla;
  if (store === 'jaeger' && !naming?.names.length) {
    notes.push(
      `the service names Beyla gives the pods are not resolved yet: Jaeger is asked for ${lookup.serviceNames.join(
        ', ',
      )}`,
    );
  }
  if (naming?.overrides?.length) {
    notes.push(
      `the pods set ${naming.overrides.join(
        ', ',
      )} themselves, so their spans do not carry this target's identity and are not listed`,
    );
  }
  return notes.length ? notes.join('; ') : undefined;
}
