import { TracingRequest } from '@tracegate/plugin-tracing-common';

/**
 * The service name (and namespace) the traces of a request's target carry,
 * as the trace store is asked for them:
 * - eBPF: Beyla names a Kubernetes workload's service after the workload
 *   (its Deployment, StatefulSet or DaemonSet) and sets `k8s.namespace.name`;
 *   a `resource.opentelemetry.io/service.name` pod annotation renames it.
 * - native: Prometheus names its own traces `prometheus` and carries no
 *   namespace.
 */
export function traceServiceOf(request: TracingRequest): {
  name: string;
  namespace?: string;
  note?: string;
} {
  if (request.method === 'prometheus') {
    return {
      name: 'prometheus',
      note: 'Prometheus names its traces "prometheus" and carries no namespace: traces of other Prometheus servers sending to this store are listed too',
    };
  }
  return { name: request.workload.name, namespace: request.namespace };
}
