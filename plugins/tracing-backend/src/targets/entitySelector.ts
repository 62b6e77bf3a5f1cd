import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  KUBERNETES_ID_ANNOTATION,
  KUBERNETES_LABEL_SELECTOR_ANNOTATION,
  KUBERNETES_NAMESPACE_ANNOTATION,
} from '@tracegate/plugin-tracing-common';

/**
 * How an entity's Kubernetes objects are found, as Backstage's Kubernetes
 * plugin finds them: the label-selector annotation, else the id annotation as
 * label `backstage.io/kubernetes-id=<id>`; the namespace annotation narrows
 * both to one namespace.
 */
export type EntitySelector = {
  entityRef: string;
  labelSelector?: string;
  namespace?: string;
};

export function entitySelector(entity: Entity): EntitySelector {
  const annotations = entity.metadata.annotations ?? {};
  const custom = annotations[KUBERNETES_LABEL_SELECTOR_ANNOTATION]?.trim();
  const id = annotations[KUBERNETES_ID_ANNOTATION]?.trim();
  const namespace = annotations[KUBERNETES_NAMESPACE_ANNOTATION]?.trim();
  let labelSelector: string | undefined;
  if (custom) labelSelector = custom;
  else if (id) labelSelector = `${KUBERNETES_ID_ANNOTATION}=${id}`;
  return {
    entityRef: stringifyEntityRef(entity),
    labelSelector,
    namespace: namespace || undefined,
  };
}

/** The selector as people read it: `app=checkout in namespace shop`. */
export function describeSelector(selector: EntitySelector): string {
  if (!selector.labelSelector) {
    return `no ${KUBERNETES_ID_ANNOTATION} or ${KUBERNETES_LABEL_SELECTOR_ANNOTATION} annotation`;
  }
  return selector.namespace
    ? `${selector.labelSelector} in namespace ${selector.namespace}`
    : `${selector.labelSelector} in any namespace`;
}
