import { LoggerService } from '@backstage/backend-plugin-api';
import {
  describeRollout,
  LastApply,
  LIVE_TRACING_REQUEST_STATUSES,
  RolloutState,
  TracingRequest,
} from '@tracegate/plugin-tracing-common';
import { ClusterSettings } from '../clusters/config';
import { ClusterRegistry } from '../clusters/ClusterRegistry';
import { describeKubeError, KubeApiError } from '../clusters/errors';
import { KubeApi } from '../clusters/KubeApi';
import { TracingRequestStore } from '../database/TracingRequestStore';
import { RequestTransitions } from '../lifecycle/RequestTransitions';
import {
  blockingError,
  ClusterPlan,
  managedFields,
  PlanAction,
  planCluster,
  readBeylaRollout,
  readLiveState,
} from '../plan';
import { renderCluster } from '../render';
import { KubeObject, objectKey } from '../render/types';

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
  /** Requests whose objects this pass wrote. */
  appliedFor: Set<string>;
  /** Beyla's DaemonSet rollout after the pass, when there is one. */
  rollout?: RolloutState;
};

/**
 * Level-based: each pass reads the cluster's live requests and live objects,
 * plans (see `plan/`), executes the plan's writes and records each request's
 * outcome through the state machine. Passes over one cluster never overlap
 * in this process; a failing cluster does not hold up the others.
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
      clusters: ClusterRegistry;
      transitions: RequestTransitions;
      logger: LoggerService;
      now?: () => Date;
      /** Base of the retry backoff; doubles per failed pass up to 5 minutes. */
      retryBaseMs?: number;
      /** How soon a pass looks again at a rollout in progress. */
      rolloutPollMs?: number;
    },
  ) {}

  /** Reconciles every cluster; resolves when all passes ended. */
  async reconcileAll(): Promise<ReconcileResult[]> {
    return Promise.all(
      this.options.clusters.names.map(name => this.reconcile(name)),
    );
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
    const result: ReconcileResult = {
      cluster: clusterName,
      applied: [],
      deleted: [],
      released: [],
      errors: {},
      clusterErrors: [],
      appliedFor: new Set(),
    };
    const cluster = this.options.clusters.find(clusterName);
    if (!cluster) {
      result.clusterErrors.push(`cluster ${clusterName} is not configured`);
      return result;
    }
    const live = await this.options.store.listByCluster({
      cluster: clusterName,
      statuses: LIVE_TRACING_REQUEST_STATUSES,
    });
    const api = this.options.clusters.api(cluster);
    const desired = renderCluster(cluster, live);
    const state = await readLiveState(api, desired, { removable: true });
    if (state.removableError) {
      result.clusterErrors.push(describeKubeError(state.removableError));
    }
    const plan = planCluster({
      cluster: clusterName,
      desired,
      requests: live,
      live: state,
    });
    await this.execute(api, plan, result);
    if (live.some(r => r.method === 'ebpf' && !result.errors[r.id])) {
      try {
        result.rollout = await readBeylaRollout(api, cluster.beyla.namespace);
      } catch (error) {
        result.clusterErrors.push(describeKubeError(error));
      }
    }
    await this.recordOutcomes(cluster, live, result);
    this.scheduleNextPass(clusterName, result);
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

  /**
   * Runs the plan in order. A failed action is charged to the requests it
   * serves (the first error each), and later actions that only serve
   * requests that already failed are skipped.
   */
  private async execute(
    api: KubeApi,
    plan: ClusterPlan,
    result: ReconcileResult,
  ) {
    for (const action of plan.actions) {
      const ids = action.requestIds;
      if (ids.length && ids.every(id => result.errors[id])) continue;
      try {
        await this.executeAction(api, action, result);
      } catch (error) {
        const message = describeKubeError(error);
        if (!ids.length) result.clusterErrors.push(message);
        for (const id of ids) result.errors[id] ??= message;
      }
    }
  }

  private async executeAction(
    api: KubeApi,
    action: PlanAction,
    result: ReconcileResult,
  ) {
    switch (action.type) {
      case 'none':
        return;
      case 'unreadable':
      case 'missing':
      case 'conflict':
        // Never create a Prometheus: the request names one that must exist.
        throw blockingError(action);
      case 'create':
      case 'update':
        await applyTakingBackHandEdits(api, action.object);
        result.applied.push(objectKey(action.object));
        action.requestIds.forEach(id => result.appliedFor.add(id));
        return;
      case 'delete':
        await api.delete(action.live);
        result.deleted.push(objectKey(action.live));
        return;
      case 'release':
        await api.apply(action.object);
        result.released.push(objectKey(action.live));
        return;
      default:
        throw new Error(`unknown plan action ${(action as PlanAction).type}`);
    }
  }

  /**
   * Moves each live request to what the pass found: `failed` with the reason
   * when its objects could not be applied or its rollout missed the
   * deadline, `active` once the config that carries it runs (for ebpf: the
   * DaemonSet rolled out on every node), else stays, with its progress.
   */
  private async recordOutcomes(
    cluster: ClusterSettings,
    live: TracingRequest[],
    result: ReconcileResult,
  ) {
    const { store, transitions } = this.options;
    const now = this.options.now?.() ?? new Date();
    for (const request of live) {
      // When its objects were last written: the start of their rollout.
      const at =
        result.appliedFor.has(request.id) || !request.lastApply
          ? now.toISOString()
          : request.lastApply.at;
      const rollout =
        request.method === 'ebpf' && !result.errors[request.id]
          ? result.rollout
          : undefined;
      let error = result.errors[request.id];
      if (request.method === 'ebpf' && !error && !rollout) {
        // The DaemonSet could not be read after the apply (see clusterErrors).
        continue;
      }
      const running = !rollout || rollout.complete;
      if (
        !error &&
        !running &&
        now.getTime() - Date.parse(at) > cluster.beyla.rolloutDeadlineMs
      ) {
        error = `Beyla did not roll out within ${formatDuration(
          cluster.beyla.rolloutDeadlineMs,
        )}: ${describeRollout(rollout!)}`;
      }
      const lastApply: LastApply = {
        at,
        ...(error ? { error } : {}),
        ...(rollout ? { rollout } : {}),
      };
      if (error && request.status !== 'failed') {
        await transitions.bySystem(request, 'fail', {
          comment: error,
          lastApply,
        });
      } else if (!error && running && request.status !== 'active') {
        await transitions.bySystem(request, 'activate', { lastApply });
      } else {
        // Same state; a failed request keeps its error while it rolls out.
        if (!error && request.status === 'failed') {
          lastApply.error = request.lastApply?.error;
        }
        if (JSON.stringify(lastApply) !== JSON.stringify(request.lastApply)) {
          await store.recordApply({
            id: request.id,
            status: request.status,
            lastApply,
          });
        }
      }
    }
  }

  /**
   * A failed pass is retried with backoff; a rollout in progress is looked
   * at again soon, so that `active` follows its end within seconds.
   */
  private scheduleNextPass(clusterName: string, result: ReconcileResult) {
    const previous = this.retries.get(clusterName);
    if (previous) clearTimeout(previous.timer);
    const failed =
      Object.keys(result.errors).length > 0 || result.clusterErrors.length > 0;
    const rollingOut = result.rollout && !result.rollout.complete;
    if (!failed && !rollingOut) {
      this.retries.delete(clusterName);
      return;
    }
    const attempt = failed ? (previous?.attempt ?? 0) + 1 : 0;
    const delay = failed
      ? Math.min(
          (this.options.retryBaseMs ?? 5_000) * 2 ** (attempt - 1),
          300_000,
        )
      : this.options.rolloutPollMs ?? 1_000;
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
 * Server-side apply. A conflict is understood when every other manager of
 * the fields came from an update (a hand edit: kubectl edit/patch): the apply
 * takes the fields back. A conflict with another applier is reported, not
 * forced.
 */
async function applyTakingBackHandEdits(api: KubeApi, object: KubeObject) {
  try {
    await api.apply(object);
  } catch (error) {
    if (!(error instanceof KubeApiError) || error.status !== 409) throw error;
    const live = await api.get(object);
    if (!live || !onlyHandEdits(error.message, live)) throw error;
    await api.apply(object, { force: true });
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
  const entries = managedFields(live);
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

/** 300000 → "5m", 90000 → "90s". */
function formatDuration(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000}m` : `${Math.round(ms / 1000)}s`;
}
