import { Entity } from '@backstage/catalog-model';

/** @public */
export const KUBERNETES_ID_ANNOTATION = 'backstage.io/kubernetes-id';
/** @public */
export const KUBERNETES_NAMESPACE_ANNOTATION =
  'backstage.io/kubernetes-namespace';
/** @public */
export const KUBERNETES_LABEL_SELECTOR_ANNOTATION =
  'backstage.io/kubernetes-label-selector';

/**
 * Tracing can be requested for a Component, of any type (a service, a
 * website, a worker: a workload is a workload), that says where it runs in
 * Kubernetes with the annotations Backstage's Kubernetes plugin reads (an id
 * or a label selector).
 *
 * @public
 */
export function isTracingAvailable(entity: Entity): boolean {
  if (entity.kind.toLocaleLowerCase('en-US') !== 'component') {
    return false;
  }
  const annotations = entity.metadata.annotations ?? {};
  return Boolean(
    annotations[KUBERNETES_ID_ANNOTATION] ||
      annotations[KUBERNETES_LABEL_SELECTOR_ANNOTATION],
  );
}

/**
 * Where the entity's workload runs, read from its Kubernetes annotations; the
 * request form uses it to prefill namespace and workload name.
 *
 * @public
 */
export function getKubernetesTarget(entity: Entity): {
  namespace?: string;
  workloadName?: string;
} {
  const annotations = entity.metadata.annotations ?? {};
  return {
    namespace: annotations[KUBERNETES_NAMESPACE_ANNOTATION],
    workloadName: annotations[KUBERNETES_ID_ANNOTATION],
  };
}
