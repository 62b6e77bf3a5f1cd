import { TracingRequest } from '@tracegate/plugin-tracing-common';
import { KubeApiError, ObjectConflictError } from '../clusters/errors';
import { BEYLA_NAME, configMapOfBeylaPod } from '../render/beyla';
import {
  CREATED_ANNOTATION,
  KubeObject,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  objectKey,
  PROMETHEUS_KIND,
} from '../render/types';
import { LiveState } from './liveState';
import { differingPaths } from './subset';

/**
 * One step that brings a cluster to its desired state, with the requests it
 * serves (a failure of the step is charged to them).
 */
export type PlanAction =
  | { type: 'create'; object: KubeObject; requestIds: string[] }
  | {
      type: 'update';
      object: KubeObject;
      live: KubeObject;
      /** Paths of the desired fields the live object does not hold. */
      changes: string[];
      requestIds: string[];
    }
  | { type: 'none'; object: KubeObject; live: KubeObject; requestIds: string[] }
  /** A target Tracegate must not create (a Prometheus CR) does not exist. */
  | { type: 'missing'; object: KubeObject; requestIds: string[] }
  /**
   * A live object stands in the way: not created by Tracegate (never taken
   * over), or a namespace still terminating.
   */
  | {
      type: 'conflict';
      object: KubeObject;
      live: KubeObject;
      reason: string;
      requestIds: string[];
    }
  /** The live object could not be read, so nothing is known of it. */
  | {
      type: 'unreadable';
      object: KubeObject;
      error: unknown;
      requestIds: string[];
    }
  | { type: 'delete'; live: KubeObject; requestIds: string[] }
  /** Hand back the fields Tracegate applied on an object it does not own. */
  | {
      type: 'release';
      object: KubeObject;
      live: KubeObject;
      requestIds: string[];
    };

/** @internal */
export type PlanActionType = PlanAction['type'];

/** What a cluster needs, in execution order. */
export type ClusterPlan = { cluster: string; actions: PlanAction[] };

/**
 * The plan for `desired` (rendered from `requests`) against `live`: one action
 * per desired object, then (when `live.removable` was read) a delete or
 * release for each of Tracegate's objects that is no longer desired. Pure:
 * the reconciler executes it, the preview dry-runs it, the status reports it.
 */
export function planCluster(options: {
  cluster: string;
  desired: KubeObject[];
  requests: TracingRequest[];
  live: LiveState;
}): ClusterPlan {
  const { desired, requests, live } = options;
  const actions: PlanAction[] = desired.map(rendered => {
    const key = objectKey(rendered);
    const requestIds = servedBy(rendered, requests);
    if (live.unreadable.has(key)) {
      return {
        type: 'unreadable',
        object: rendered,
        error: live.unreadable.get(key),
        requestIds,
      };
    }
    const current = live.objects.get(key);
    if (!current) {
      return rendered.kind === PROMETHEUS_KIND.kind
        ? { type: 'missing', object: rendered, requestIds }
        : { type: 'create', object: markCreated(rendered), requestIds };
    }
    const reason = conflictWith(current);
    if (reason) {
      return {
        type: 'conflict',
        object: rendered,
        live: current,
        reason,
        requestIds,
      };
    }
    // Keep the marker on what Tracegate created: an apply without it would
    // remove it.
    const object =
      current.metadata.annotations?.[CREATED_ANNOTATION] === 'true'
        ? markCreated(rendered)
        : rendered;
    const changes = differingPaths(current, object);
    return changes.length
      ? { type: 'update', object, live: current, changes, requestIds }
      : { type: 'none', object, live: current, requestIds };
  });

  const wanted = new Set(desired.map(objectKey));
  // A Beyla pod reads its config again when its container restarts: the
  // configs of running pods stay until the pods are replaced (or, with
  // Beyla's DaemonSet going, go with it).
  const beylaStays = desired.some(
    o => o.kind === 'DaemonSet' && o.metadata.name === BEYLA_NAME,
  );
  const read = new Set(
    (beylaStays ? live.beylaPods ?? [] : []).map(
      pod => `${pod.metadata.namespace}/${configMapOfBeylaPod(pod)}`,
    ),
  );
  for (const object of live.removable ?? []) {
    if (wanted.has(objectKey(object)) || isTerminating(object)) continue;
    if (
      object.kind === 'ConfigMap' &&
      read.has(`${object.metadata.namespace}/${object.metadata.name}`)
    ) {
      continue;
    }
    const isOwnNamespace =
      object.kind === 'Namespace' && createdByTracegate(object);
    if (
      object.kind === PROMETHEUS_KIND.kind ||
      (object.kind === 'Namespace' && !isOwnNamespace)
    ) {
      // Not Tracegate's to delete: an apply with none of its fields hands
      // back what it set (tracingConfig; a namespace's labels).
      actions.push({
        type: 'release',
        object: {
          apiVersion: object.apiVersion,
          kind: object.kind,
          metadata: {
            name: object.metadata.name,
            namespace: object.metadata.namespace,
          },
        },
        live: object,
        requestIds: [],
      });
    } else {
      actions.push({ type: 'delete', live: object, requestIds: [] });
    }
  }
  return { cluster: options.cluster, actions };
}

/**
 * Why an action cannot be carried out, for the actions that stop their
 * requests (a missing target, a conflicting or unreadable object).
 */
export function blockingError(action: PlanAction): unknown {
  if (action.type === 'unreadable') return action.error;
  if (action.type === 'conflict') return new ObjectConflictError(action.reason);
  if (action.type === 'missing') {
    const { kind, metadata } = action.object;
    return new KubeApiError(
      404,
      'NotFound',
      `${kind} ${metadata.namespace}/${metadata.name} does not exist`,
    );
  }
  return undefined;
}

/** The actions that write to the cluster. */
export function writes(plan: ClusterPlan): PlanAction[] {
  return plan.actions.filter(a =>
    ['create', 'update', 'delete', 'release'].includes(a.type),
  );
}

/**
 * The requests an object serves: Beyla's objects every ebpf request, a
 * Prometheus patch the requests naming that CR, the rest (the Grafana
 * datasource) every request.
 */
export function servedBy(
  object: KubeObject,
  requests: TracingRequest[],
): string[] {
  let served: TracingRequest[];
  if (object.metadata.labels?.['app.kubernetes.io/name'] === BEYLA_NAME) {
    served = requests.filter(r => r.method === 'ebpf');
  } else if (object.kind === PROMETHEUS_KIND.kind) {
    served = requests.filter(
      r =>
        r.method === 'prometheus' &&
        r.namespace === object.metadata.namespace &&
        r.workload.name === object.metadata.name,
    );
  } else {
    served = requests;
  }
  return served.map(r => r.id);
}

/**
 * The desired objects that adding requests changes: new objects, and
 * objects rendered differently (what a preview shows).
 */
export function changedObjects(
  before: KubeObject[],
  after: KubeObject[],
): KubeObject[] {
  const previous = new Map(before.map(o => [objectKey(o), o]));
  return after.filter(o => {
    const old = previous.get(objectKey(o));
    // Renders of the same inputs have the same key order.
    return !old || JSON.stringify(old) !== JSON.stringify(o);
  });
}

/** Whether Tracegate created the object (see {@link CREATED_ANNOTATION}). */
export function createdByTracegate(object: KubeObject): boolean {
  if (object.metadata.annotations?.[CREATED_ANNOTATION] === 'true') return true;
  // Objects from before the marker carry only the label; a namespace is
  // never assumed to be Tracegate's without the marker.
  return (
    object.kind !== 'Namespace' &&
    object.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY
  );
}

export function markCreated(object: KubeObject): KubeObject {
  return {
    ...object,
    metadata: {
      ...object.metadata,
      annotations: {
        ...object.metadata.annotations,
        [CREATED_ANNOTATION]: 'true',
      },
    },
  };
}

/** Why Tracegate must not apply over `live`, if it must not. */
function conflictWith(live: KubeObject): string | undefined {
  const { kind, metadata } = live;
  const name = metadata.namespace
    ? `${metadata.namespace}/${metadata.name}`
    : metadata.name;
  if (isTerminating(live)) {
    return `namespace ${name} is terminating (an earlier deletion has not finished); retrying`;
  }
  if (kind === 'Namespace' || kind === PROMETHEUS_KIND.kind) return undefined;
  if (!createdByTracegate(live)) {
    return `${kind} ${name} exists and was not created by Tracegate; it is not taken over (remove or rename it, or set beyla.namespace to another namespace)`;
  }
  return undefined;
}

function isTerminating(object: KubeObject): boolean {
  return (
    object.kind === 'Namespace' &&
    (object as { status?: { phase?: string } }).status?.phase === 'Terminating'
  );
}
