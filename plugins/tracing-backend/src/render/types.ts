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

/** Identity of an object across renders and the live cluster. */
export function objectKey(
  o: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>,
) {
  return `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ''}/${
    o.metadata.name
  }`;
}
