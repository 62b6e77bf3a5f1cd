import { LoggerService } from '@backstage/backend-plugin-api';
import {
  LIVE_TRACING_REQUEST_STATUSES,
  TracingRequest,
} from '@tracegate/plugin-tracing-common';
import { ClusterSettings } from '../clusters/config';
import { describeKubeError, KubeApi, KubeApiError } from '../clusters/KubeApi';
import { TracingRequestStore } from '../database/TracingRequestStore';
import { renderCluster } from '../render';
import {
  FIELD_MANAGER,
  KubeObject,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  objectKey,
} from '../render/types';
import { containsSubset } from './subset';

/** Kinds Tracegate owns outright, deleted in this order when undesired. */
const OWNED_KINDS = [
  { apiVersion: 'apps/v1', kind: 'DaemonSet' },
  { apiVersion: 'v1', kind: 'ConfigMap' },
  { apiVersion: 'v1', kind: 'ServiceAccount' },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding' },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole' },
  { apiVersion: 'v1', kind: 'Namespace' },
];
const PROMETHEUS = {
  apiVersion: 'monitoring.coreos.com/v1',
  kind: 'Prometheus',
};

/** What one pass over a cluster did. */
export type ReconcileResult = {
  cluster: string;
  applied: string[];
  deleted: string[];
  released: string[];
  /** Request id → error, for requests whose objects could not be applied. */
  errors: Record<string, string>;
  /** Problems not tied to a request (cleanup). */
  clusterErrors: string[];
};

type Group = { requestIds: string[]; objects: KubeObject[] };

/**
 * Level-based: computes each cluster's desired objects from the database and
 * makes the cluster match, writing only what differs. Passes over one cluster
 * never overlap; a failing cluster does not hold up the others.
 *
 * @internal
 */
export class Reconciler {
  private readonly running = new Map<string, Promise<ReconcileResult>>();
  private readonly queued = new Map<string, Promise<ReconcileResult>>();
  private readonly retries = new Map<
    string,
    { attempt: number; timer: NodeJS.Timeout }
  >();

  constructor(
    private readonly options: {
      store: TracingRequestStore;
      clusters: ClusterSettings[];
      apiFor: (cluster: ClusterSettings) => KubeApi;
      logger: LoggerService;
      now?: () => Date;
      /** Base of the retry backoff; doubles per failed pass up to 5 minutes. */
      retryBaseMs?: number;
    },
  ) {}

  /** Reconciles every cluster; resolves when all passes ended. */
  async reconcileAll(): Promise<ReconcileResult[]> {
    return Promise.all(this.options.clusters.map(c => this.reconcile(c.name)));
  }

  /**
   * Reconciles one cluster. A call during a running pass queues exactly one
   * more pass after it, so a change is never missed and never piles up.
   */
  reconcile(clusterName: string): Promise<ReconcileResult> {
    const queued = this.queued.get(clusterName);
    if (queued) return queued;
    const running = this.running.get(clusterName);
    const start = async () => {
      this.queued.delete(clusterName);
      const pass = this.pass(clusterName);
      this.running.set(clusterName, pass);
      try {
        return await pass;
      } finally {
        if (this.running.get(clusterName) === pass)
          this.running.delete(clusterName);
      }
    };
    if (!running) return start();
    const next = running.then(start, start);
    this.queued.set(clusterName, next);
    return next;
  }

  /** Stops pending retries (backend shutdown, tests). */
  stop() {
    for (const { timer } of this.retries.values()) clearTimeout(timer);
    this.retries.clear();
  }

  private async pass(clusterName: string): Promise<ReconcileResult> {
    const cluster = this.options.clusters.find(c => c.name === clusterName);
    const result: ReconcileResult = {
      cluster: clusterName,
      applied: [],
      deleted: [],
      released: [],
      errors: {},
      clusterErrors: [],
    };
    if (!cluster) {
      result.clusterErrors.push(`cluster ${clusterName} is not configured`);
      return result;
    }
    const { store } = this.options;
    const live = await store.listByCluster({
      cluster: clusterName,
      statuses: LIVE_TRACING_REQUEST_STATUSES,
    });
    const api = this.options.apiFor(cluster);
    const desired = renderCluster(cluster, live);

    for (const group of groupByRequests(desired, live)) {
      try {
        for (const object of group.objects) {
          if (await this.applyIfChanged(api, object))
            result.applied.push(objectKey(object));
        }
      } catch (error) {
        const message = describeKubeError(error);
        for (const id of group.requestIds) result.errors[id] = message;
      }
    }

    try {
      await this.removeUndesired(api, desired, result);
    } catch (error) {
      result.clusterErrors.push(describeKubeError(error));
    }

    await this.recordOutcomes(live, result);
    this.scheduleRetry(clusterName, result);
    if (
      result.applied.length ||
      result.deleted.length ||
      result.released.length
    ) {
      this.options.logger.info(
        `Reconciled cluster ${clusterName}: applied ${result.applied.length}, deleted ${result.deleted.length}, released ${result.released.length}`,
      );
    }
    for (const error of result.clusterErrors) {
      this.options.logger.warn(`Reconciling cluster ${clusterName}: ${error}`);
    }
    return result;
  }

  /** Applies only when the live object lacks some desired field. */
  private async applyIfChanged(
    api: KubeApi,
    object: KubeObject,
  ): Promise<boolean> {
    const current = await api.get(object);
    if (object.kind === PROMETHEUS.kind && !current) {
      // Never create a Prometheus: the request names one that must exist.
      throw new KubeApiError(
        404,
        'NotFound',
        `Prometheus ${object.metadata.namespace}/${object.metadata.name} does not exist`,
      );
    }
    if (current && containsSubset(current, object)) return false;
    try {
      await api.apply(object);
    } catch (error) {
      if (!(error instanceof KubeApiError) || error.status !== 409) throw error;
      // A conflict is understood when every other manager of the fields came
      // from an update (a hand edit: kubectl edit/patch): our apply takes the
      // fields back. A conflict with another applier is reported, not forced.
      const live = await api.get(object);
      if (!live || !onlyHandEdits(error.message, live)) throw error;
      await api.apply(object, { force: true });
    }
    return true;
  }

  private async removeUndesired(
    api: KubeApi,
    desired: KubeObject[],
    result: ReconcileResult,
  ) {
    const wanted = new Set(desired.map(objectKey));
    for (const kind of OWNED_KINDS) {
      const owned = await api.list(kind, `${MANAGED_BY_LABEL}=${MANAGED_BY}`);
      for (const object of owned) {
        if (wanted.has(objectKey(object))) continue;
        if (
          object.kind === 'Namespace' &&
          (object as { status?: { phase?: string } }).status?.phase ===
            'Terminating'
        )
          continue;
        await api.delete(object);
        result.deleted.push(objectKey(object));
      }
    }
    // Prometheus CRs are not ours: hand back only the fields we applied.
    for (const prometheus of await api.list(PROMETHEUS)) {
      if (wanted.has(objectKey(prometheus)) || !ownsFields(prometheus))
        continue;
      await api.apply({
        apiVersion: PROMETHEUS.apiVersion,
        kind: PROMETHEUS.kind,
        metadata: {
          name: prometheus.metadata.name,
          namespace: prometheus.metadata.namespace,
        },
      });
      result.released.push(objectKey(prometheus));
    }
  }

  private async recordOutcomes(
    live: TracingRequest[],
    result: ReconcileResult,
  ) {
    const { store } = this.options;
    const at = (this.options.now?.() ?? new Date()).toISOString();
    for (const request of live) {
      const error = result.errors[request.id];
      if (error) {
        if (request.status === 'failed') {
          if (request.lastApply?.error !== error) {
            await store.recordApply({
              id: request.id,
              status: 'failed',
              lastApply: { at, error },
            });
          }
        } else {
          await store.transition({
            id: request.id,
            from: request.status,
            to: 'failed',
            actor: FIELD_MANAGER,
            at,
            comment: error,
            lastApply: { at, error },
          });
        }
      } else if (request.status !== 'active') {
        await store.transition({
          id: request.id,
          from: request.status,
          to: 'active',
          actor: FIELD_MANAGER,
          at,
          lastApply: { at },
        });
      } else if (
        !request.lastApply ||
        request.lastApply.error ||
        result.applied.length > 0
      ) {
        await store.recordApply({
          id: request.id,
          status: 'active',
          lastApply: { at },
        });
      }
    }
  }

  private scheduleRetry(clusterName: string, result: ReconcileResult) {
    const previous = this.retries.get(clusterName);
    if (previous) clearTimeout(previous.timer);
    const failed =
      Object.keys(result.errors).length > 0 || result.clusterErrors.length > 0;
    if (!failed) {
      this.retries.delete(clusterName);
      return;
    }
    const attempt = (previous?.attempt ?? 0) + 1;
    const delay = Math.min(
      (this.options.retryBaseMs ?? 5_000) * 2 ** (attempt - 1),
      300_000,
    );
    const timer = setTimeout(() => {
      this.reconcile(clusterName).catch(error =>
        this.options.logger.error(
          `Retrying cluster ${clusterName} failed: ${error}`,
        ),
      );
    }, delay);
    timer.unref?.();
    this.retries.set(clusterName, { attempt, timer });
  }
}

/**
 * Whether the managers named in a conflict message all changed the object by
 * update rather than by apply.
 */
function onlyHandEdits(conflictMessage: string, live: KubeObject): boolean {
  const managers = [
    ...conflictMessage.matchAll(/conflicts? with "([^"]+)"/g),
  ].map(m => m[1]);
  const entries =
    (
      live.metadata as {
        managedFields?: Array<{ manager?: string; operation?: string }>;
      }
    ).managedFields ?? [];
  return (
    managers.length > 0 &&
    managers.every(manager => {
      const ops = entries
        .filter(e => e.manager === manager)
        .map(e => e.operation);
      return ops.length > 0 && ops.every(op => op === 'Update');
    })
  );
}

/** Whether our field manager owns any field of the object. */
function ownsFields(object: KubeObject): boolean {
  const managed = (
    object.metadata as {
      managedFields?: Array<{ manager?: string; operation?: string }>;
    }
  ).managedFields;
  return Boolean(
    managed?.some(m => m.manager === FIELD_MANAGER && m.operation === 'Apply'),
  );
}

/**
 * Objects grouped by the requests they serve, so a failure is charged to the
 * right requests: Beyla's objects to every ebpf request, a Prometheus patch to
 * the requests naming that CR, the datasource to all.
 */
function groupByRequests(
  desired: KubeObject[],
  live: TracingRequest[],
): Group[] {
  const ids = (rs: TracingRequest[]) => rs.map(r => r.id);
  const ebpf = live.filter(r => r.method === 'ebpf');
  const groups: Group[] = [];
  const beyla = desired.filter(
    o => o.metadata.labels?.['app.kubernetes.io/name'] === 'beyla',
  );
  if (beyla.length) groups.push({ requestIds: ids(ebpf), objects: beyla });
  for (const o of desired.filter(d => d.kind === PROMETHEUS.kind)) {
    groups.push({
      requestIds: ids(
        live.filter(
          r =>
            r.method === 'prometheus' &&
            r.namespace === o.metadata.namespace &&
            r.workload.name === o.metadata.name,
        ),
      ),
      objects: [o],
    });
  }
  const rest = desired.filter(
    o => !beyla.includes(o) && o.kind !== PROMETHEUS.kind,
  );
  if (rest.length) groups.push({ requestIds: ids(live), objects: rest });
  return groups;
}
