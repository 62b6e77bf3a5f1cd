import { LoggerService } from '@backstage/backend-plugin-api';
import { randomUUID } from 'node:crypto';
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
  /** Why no pass ran: another pass holds the cluster's lease. */
  skipped?: string;
};

/** The lease was taken over (this pass stalled past its TTL): stop writing. */
class LeaseLostError extends Error {}

function emptyResult(cluster: string): ReconcileResult {
  return {
    cluster,
    applied: [],
    deleted: [],
    released: [],
    errors: {},
    clusterErrors: [],
    appliedFor: new Set(),
  };
}

/**
 * Level-based: each pass reads the cluster's live requests and live objects,
 * plans (see `plan/`), executes the plan's writes and records each request's
 * outcome through the state machine. A failing cluster does not hold up the
 * others.
 *
 * Fenced across backend replicas: a pass holds the cluster's lease in the
 * database (`tracing_clusters`) and checks it before every write, so passes
 * never overlap and one that stalled past the lease's TTL writes nothing
 * more. It notes the cluster's revision (bumped with every change of the
 * live set) before it reads the requests, and passes again until the
 * revision it applied is the newest, also when the change arrived while it
 * held the lease and another replica's pass was turned away. A replica that
 * dies holding the lease holds it for one TTL at most.
 *
 * @internal
 */
export class Reconciler {
  private readonly instanceId = randomUUID();
  private readonly running = new Map<string, Promise<ReconcileResult>>();
  private readonly queued = new Map<string, Promise<ReconcileResult>>();
  private readonly leaseWaits = new Map<string, NodeJS.Timeout>();
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
      /** How long a pass's lease lasts unless renewed. Default 15 s. */
      leaseTtlMs?: number;
      /**
       * How long {@link Reconciler.reconcileSoon} waits after a change for
       * more, so that changes close together share one pass (one Beyla
       * rollout). Default 0: at once.
       */
      applyWindowMs?: number;
    },
  ) {}

  private readonly windows = new Map<string, ReturnType<typeof setTimeout>>();

  /**
   * A change to the cluster's live set: reconcile it at once, or at the end
   * of the apply window that the first change of a burst opens. Errors are
   * logged (the periodic pass retries).
   */
  reconcileSoon(clusterName: string) {
    const run = () => {
      this.windows.delete(clusterName);
      this.reconcile(clusterName).catch(error =>
        this.options.logger.error(
          `Reconciling cluster ${clusterName} failed: ${error}`,
        ),
      );
    };
    const windowMs = this.options.applyWindowMs ?? 0;
    if (windowMs <= 0) {
      run();
      return;
    }
    if (this.windows.has(clusterName)) return;
    const timer = setTimeout(run, windowMs);
    timer.unref?.();
    this.windows.set(clusterName, timer);
  }

  private get leaseTtlMs() {
    return this.options.leaseTtlMs ?? 15_000;
  }

  /** Reconciles every cluster; resolves when all passes ended. */
  async reconcileAll(): Promise<ReconcileResult[]> {
    return Promise.all(
      this.options.clusters.names.map(name => this.reconcile(name)),
    );
  }

  /**
   * Reconciles one cluster. Within this process a call during a running
   * pass queues exactly one more pass after it (no contending with itself);
   * across replicas the lease decides.
   */
  reconcile(clusterName: string): Promise<ReconcileResult> {
    const queued = this.queued.get(clusterName);
    if (queued) return queued;
    const running = this.running.get(clusterName);
    const start = async () => {
      this.queued.delete(clusterName);
      const pass = this.leasedReconcile(clusterName);
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

  /**
   * Passes under the cluster's lease. When another replica's pass holds it,
   * this one ends at once (`skipped`): the holder passes again for any
   * change that reached the database meanwhile.
   */
  private async leasedReconcile(clusterName: string): Promise<ReconcileResult> {
    const { store } = this.options;
    const lease = {
      cluster: clusterName,
      holder: `${this.instanceId}/${randomUUID()}`,
      ttlMs: this.leaseTtlMs,
    };
    const takeLease = () => store.acquireLease({ ...lease, now: Date.now() });
    if (!(await takeLease())) {
      this.tryAgainAfterLease(clusterName);
      return {
        ...emptyResult(clusterName),
        skipped: 'another pass holds the lease',
      };
    }
    const renewal = setInterval(
      () => takeLease().catch(() => undefined),
      this.leaseTtlMs / 3,
    );
    renewal.unref?.();
    const fence = async () => {
      if (!(await takeLease())) {
        throw new LeaseLostError(
          `the lease of cluster ${clusterName} passed to another pass`,
        );
      }
    };
    let result = emptyResult(clusterName);
    let revision = -1;
    try {
      for (let round = 0; round < 5; round++) {
        const seen = await store.clusterRevision(clusterName);
        if (seen === revision) break;
        revision = seen;
        result = await this.pass(clusterName, fence);
      }
    } catch (error) {
      if (!(error instanceof LeaseLostError)) throw error;
      this.options.logger.warn(
        `Reconciling cluster ${clusterName}: ${error.message}`,
      );
      return { ...emptyResult(clusterName), skipped: error.message };
    } finally {
      clearInterval(renewal);
      await store.releaseLease(lease);
    }
    // A change that came after this pass's last look, while its lease turned
    // other passes away.
    if ((await store.clusterRevision(clusterName)) !== revision) {
      return this.leasedReconcile(clusterName);
    }
    return result;
  }

  /**
   * A live holder passes again for the change that sent this pass away; a
   * holder that died does not, so look again once its lease has run out.
   */
  private tryAgainAfterLease(clusterName: string) {
    if (this.leaseWaits.has(clusterName)) return;
    const timer = setTimeout(() => {
      this.leaseWaits.delete(clusterName);
      this.reconcile(clusterName).catch(error =>
        this.options.logger.error(
          `Reconciling cluster ${clusterName} after its lease failed: ${error}`,
        ),
      );
    }, this.leaseTtlMs + 1_000);
    timer.unref?.();
    this.leaseWaits.set(clusterName, timer);
  }

  /** Stops pending retries (backend shutdown, tests). */
  stop() {
    for (const timer of this.windows.values()) clearTimeout(timer);
    this.windows.clear();
    for (const { timer } of this.retries.values()) clearTimeout(timer);
    this.retries.clear();
    for (const timer of this.leaseWaits.values()) clearTimeout(timer);
    this.leaseWaits.clear();
  }

  private async pass(
    clusterName: string,
    fence: () => Promise<void>,
  ): Promise<ReconcileResult> {
    const result = emptyResult(clusterName);
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
    await this.execute(api, plan, result, fence);
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
    fence: () => Promise<void>,
  ) {
    for (const action of plan.actions) {
      const ids = action.requestIds;
      if (ids.length && ids.every(id => result.errors[id])) continue;
      if (action.type !== 'none') await fence();
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
