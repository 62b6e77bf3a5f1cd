import { Entity } from '@backstage/catalog-model';
import {
  EntityTargets,
  METHOD_TARGET_KINDS,
  TargetCheck,
  TargetKind,
  TargetRef,
  TracingMethod,
} from '@tracegate/plugin-tracing-common';
import { ClusterRegistry } from '../clusters/ClusterRegistry';
import { ClusterSettings } from '../clusters/config';
import { describeKubeError } from '../clusters/errors';
import { KindRef, KubeApi } from '../clusters/KubeApi';
import { TargetOf } from '../database/TracingRequestStore';
import { beylaNaming } from '../beyla/naming';
import { readWorkloadPods } from './workloadPods';
import { PROMETHEUS_KIND } from '../render/types';
import {
  describeSelector,
  EntitySelector,
  entitySelector,
} from './entitySelector';

const TARGET_KIND_REFS: Record<TargetKind, KindRef> = {
  Deployment: { apiVersion: 'apps/v1', kind: 'Deployment' },
  StatefulSet: { apiVersion: 'apps/v1', kind: 'StatefulSet' },
  DaemonSet: { apiVersion: 'apps/v1', kind: 'DaemonSet' },
  Prometheus: PROMETHEUS_KIND,
};

/** A live check, and which request field a missing target is about. */
export type TargetCheckResult = TargetCheck & {
  field?: 'namespace' | 'workload.name';
};

/**
 * What an entity may target, read from the live cluster: the workloads (and
 * `Prometheus` CRs) its Kubernetes annotations select, as Backstage's
 * Kubernetes plugin selects them, plus the CRs the platform assigns to it in
 * config. Used by the form's picker, and to check a request at create,
 * preview and approve.
 *
 * @internal
 */
export class TargetService {
  private readonly now: () => Date;

  constructor(
    private readonly options: {
      clusters: ClusterRegistry;
      now?: () => Date;
    },
  ) {
    this.now = options.now ?? (() => new Date());
  }

  /** The entity's targets for `method` on the cluster, or why not readable. */
  async list(
    entity: Entity,
    clusterName: string,
    method: TracingMethod,
  ): Promise<EntityTargets> {
    const cluster = this.options.clusters.get(clusterName);
    const selector = entitySelector(entity);
    const base = {
      cluster: cluster.name,
      method,
      selector: describeSelector(selector),
    };
    const found = new Map<string, TargetRef>();
    const add = (target: TargetRef) =>
      found.set(`${target.kind}/${target.namespace}/${target.name}`, target);
    if (method === 'prometheus') {
      for (const instance of assignedInstances(cluster, selector)) {
        add({ kind: 'Prometheus', ...instance });
      }
    }
    if (selector.labelSelector) {
      const api = this.options.clusters.api(cluster);
      try {
        for (const kind of METHOD_TARGET_KINDS[method]) {
          const objects = await api.list(
            TARGET_KIND_REFS[kind],
            selector.labelSelector,
            selector.namespace,
          );
          for (const object of objects) {
            add({
              kind,
              namespace: object.metadata.namespace ?? '',
              name: object.metadata.name,
            });
          }
        }
      } catch (error) {
        return { ...base, items: [], error: describeKubeError(error) };
      }
    }
    const items = [...found.values()].sort((a, b) =>
      `${a.namespace}/${a.name}/${a.kind}` <
      `${b.namespace}/${b.name}/${b.kind}`
        ? -1
        : 1,
    );
    return { ...base, items };
  }

  /**
   * Whether the request's target exists and is the entity's own. Never
   * throws for the cluster: an unreadable cluster is `not-verified`.
   */
  async check(entity: Entity, target: TargetOf): Promise<TargetCheckResult> {
    const at = this.now().toISOString();
    const cluster = this.options.clusters.get(target.cluster);
    const selector = entitySelector(entity);
    const { kind, name } = target.workload;
    const described = `${kind} ${target.namespace}/${name}`;
    const assigned = assignedInstances(cluster, selector).some(
      i =>
        kind === 'Prometheus' &&
        i.namespace === target.namespace &&
        i.name === name,
    );
    // What the annotations alone decide, even with the cluster unreachable.
    const possiblyOwned =
      assigned ||
      (Boolean(selector.labelSelector) &&
        (!selector.namespace || selector.namespace === target.namespace));
    const api = this.options.clusters.api(cluster);
    try {
      const live = await api.get({
        ...TARGET_KIND_REFS[kind],
        metadata: { name, namespace: target.namespace },
      });
      if (!live) {
        const namespaceExists = await api.get({
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: target.namespace },
        });
        return namespaceExists
          ? {
              result: 'not-found',
              at,
              field: 'workload.name',
              message: `${described} does not exist on cluster ${cluster.name}`,
            }
          : {
              result: 'not-found',
              at,
              field: 'namespace',
              message: `namespace ${target.namespace} does not exist on cluster ${cluster.name}`,
            };
      }
      const owned =
        assigned ||
        (possiblyOwned &&
          (await selects(api, selector, TARGET_KIND_REFS[kind], target)));
      const beyla =
        kind === 'Prometheus'
          ? undefined
          : beylaNaming(
              cluster,
              { ...target, method: 'ebpf' },
              live,
              await readWorkloadPods(api, live),
            );
      return {
        result: 'verified',
        owned,
        at,
        ...(owned ? {} : { message: notOwnedMessage(described, selector) }),
        ...(beyla ? { beyla } : {}),
      };
    } catch (error) {
      const unreadable = `cluster ${
        cluster.name
      } could not be read: ${describeKubeError(error)}`;
      // Known without the cluster: outside what the annotations select.
      return possiblyOwned
        ? { result: 'not-verified', at, message: unreadable }
        : {
            result: 'not-verified',
            owned: false,
            at,
            message: `${notOwnedMessage(described, selector)}; ${unreadable}`,
          };
    }
  }
}

function notOwnedMessage(described: string, selector: EntitySelector) {
  return `${described} is not one of ${
    selector.entityRef
  }'s workloads (${describeSelector(selector)})`;
}

/** The CRs `prometheusInstances` assigns to the entity on this cluster. */
function assignedInstances(cluster: ClusterSettings, selector: EntitySelector) {
  return cluster.prometheusInstances
    .filter(i => i.entityRef === selector.entityRef)
    .map(({ namespace, name }) => ({ namespace, name }));
}

/** Whether the entity's label selector selects the named object. */
async function selects(
  api: KubeApi,
  selector: EntitySelector,
  kind: KindRef,
  target: TargetOf,
): Promise<boolean> {
  const selected = await api.list(
    kind,
    selector.labelSelector,
    target.namespace,
  );
  return selected.some(o => o.metadata.name === target.workload.name);
}
