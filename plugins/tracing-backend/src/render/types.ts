/**
 * A Kubernetes object as Tracegate renders it: plain data, serialised as-is.
 * (The typed models of @kubernetes/client-node re-key fields on the way out,
 * which is wrong for custom resources and raw maps.)
 */
export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
};

/** Labels on every object Tracegate owns (and may delete). */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'tracegate';
export const FIELD_MANAGER = 'tracegate';
/**
 * Set on the objects Tracegate created (and kept on them): only those are
 * ever deleted, and an object of the same name without it is not taken over.
 */
export const CREATED_ANNOTATION = 'tracegate.io/created';

/** Identity of an object across renders and the live cluster. */
export function objectKey(
  o: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>,
) {
  return `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ''}/${
    o.metadata.name
  }`;
}

/** An object in words: `DaemonSet beyla/beyla`, `ClusterRole tracegate-beyla`. */
export function describeObject(o: Pick<KubeObject, 'kind' | 'metadata'>) {
  const { namespace, name } = o.metadata;
  return `${o.kind} ${namespace ? `${namespace}/` : ''}${name}`;
}

/** The prometheus-operator kind whose `spec.tracingConfig` Tracegate sets. */
export const PROMETHEUS_KIND = {
  apiVersion: 'monitoring.coreos.com/v1',
  kind: 'Prometheus',
} as const;

/**
 * Kinds Tracegate creates outright (labelled {@link MANAGED_BY_LABEL}), in
 * the order they are removed: users of an object before the object.
 */
export const OWNED_KINDS = [
  { apiVersion: 'apps/v1', kind: 'DaemonSet' },
  { apiVersion: 'v1', kind: 'ConfigMap' },
  { apiVersion: 'v1', kind: 'ServiceAccount' },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding' },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole' },
  { apiVersion: 'v1', kind: 'Namespace' },
] as const;
