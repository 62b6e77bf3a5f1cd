import { LoggerService } from '@backstage/backend-plugin-api';
import { randomUUID } from 'node:crypto';
import { ClusterRegistry } from '../clusters/ClusterRegistry';
import { ClusterStore } from '../database/ClusterStore';
import { TracingRequestStore } from '../database/TracingRequestStore';
import { RequestTransitions } from '../lifecycle/RequestTransitions';
import { liveSet } from '../plan';
import { targetKey } from '../render/beylaSelections';
import { LeaseLostError, PassOutcome, runClusterPass } from './ClusterPass';
import { runGitPass } from './GitPass';
import { ConfigCache } from './readBeylaNodes';
import {
  clusterStateOf,
  recordClusterState,
  recordOutcomes,
} from './recordOutcomes';

/** What one pass over a cluster did. */
export type ReconcileResult = Pick<
  PassOutcome,
  'cluster' | 'applied' | 'deleted' | 'released' | 'errors' | 'clusterErrors'
> & {
  /** Nodes whose Beyla pod the pass restarted. */
  restarted: string[];
  /** Whether Beyla is still on its way on some nodes (restarts in flight). */
  settling: boolean;
  /** Why no pass ran: another pass holds the cluster's lease. */
  skipped?: string;
  /** Git delivery: the commit that holds the cluster's files. */
  commit?: PassOutcome['commit'];
  /** Git delivery: the cluster does not hold the commit yet. */
  waitingForGitOps?: boolean;
};

/** How soon a pass turned away by another's lease tries again. */
const LEASE_RETRY_MS = 500;

function emptyResult(cluster: string): ReconcileResult {
  return {
    cluster,
    applied: [],
    deleted: [],
    released: [],
    errors: {},
    clusterErrors: [],
    restarted: [],
    settling: false,
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
  /** Beyla configs read and parsed, by ConfigMap name (they never change). */
  private readonly configCache: ConfigCache = new Map();

  constructor(
    private readonly options: {
      store: TracingRequestStore;
      /** Leases, revisions and the state each pass records. */
      clusterStore: ClusterStore;
      clusters: ClusterRegistry;
      transitions: RequestTransitions;
      logger: LoggerService;
      now?: () => Date;
      /** Base of the retry backoff; doubles per failed pass up to 5 minutes. */
      retryBaseMs?: number;
      /** How soon a pass looks again at a rollout in progress. */
      rolloutPollMs?: number;
      /**
       * Git delivery: how soon a pass looks again while the cluster does
       * not hold the commit yet (the GitOps tool syncs in its own time).
       * Default 5 s.
       */
      gitPollMs?: number;
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
    const store = this.options.clusterStore;
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
   * A live holder passes again for a change that reached the database while
   * it held the lease; this replica also looks again every half second (a
   * lease taken is one UPDATE), so its own change waits at most for the end
   * of the holder's pass, and for a holder that died, for its lease to run
   * out.
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
    }, Math.min(LEASE_RETRY_MS, this.leaseTtlMs));
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
    const now = () => this.options.now?.() ?? new Date();
    const [requests, states] = await Promise.all([
      liveSet(this.options.store, clusterName),
      this.options.clusterStore.states([clusterName]),
    ]);
    const delivery = this.options.clusters.gitDelivery(cluster);
    const passOptions = {
      cluster,
      api: this.options.clusters.api(cluster),
      requests,
      fence,
      configCache: this.configCache,
    };
    const outcome = delivery
      ? await runGitPass({ ...passOptions, delivery })
      : await runClusterPass(passOptions);
    await recordOutcomes({
      cluster,
      outcome,
      store: this.options.store,
      transitions: this.options.transitions,
      now: now(),
    });
    await recordClusterState(
      this.options.clusterStore,
      clusterName,
      clusterStateOf(outcome, now()),
      states.get(clusterName),
    );
    const plan = outcome.beyla?.plan;
    // Beyla still on its way: restarts in flight, nodes waiting, or a live
    // target's node without a ready Beyla.
    const beylaSettling = Boolean(
      plan &&
        (plan.restarts.length ||
          plan.waiting.length ||
          requests.some(
            r =>
              r.method === 'ebpf' &&
              !outcome.errors[r.id] &&
              plan.target(targetKey(r)).withoutReadyBeyla.length,
          )),
    );
    const waitingForGitOps = Boolean(outcome.notOnCluster?.size);
    Object.assign(result, {
      applied: outcome.applied,
      deleted: outcome.deleted,
      released: outcome.released,
      errors: outcome.errors,
      clusterErrors: outcome.clusterErrors,
      restarted: outcome.beyla?.restarted ?? [],
      commit: outcome.commit,
      waitingForGitOps,
      settling: waitingForGitOps || beylaSettling,
    });
    this.scheduleNextPass(clusterName, result);
    if (
      result.applied.length ||
      result.deleted.length ||
      result.released.length ||
      result.restarted.length
    ) {
      this.options.logger.info(
        `Reconciled cluster ${clusterName}: applied ${result.applied.length}, deleted ${result.deleted.length}, released ${result.released.length}, restarted Beyla on ${result.restarted.length} node(s)`,
      );
    }
    if (result.commit?.committed) {
      this.options.logger.info(
        `Reconciled cluster ${clusterName}: committed ${result.commit.sha}${
          result.commit.retries
            ? ` after ${result.commit.retries} push(es) refused for a moved branch`
            : ''
        }`,
      );
    }
    for (const error of result.clusterErrors) {
      this.options.logger.warn(`Reconciling cluster ${clusterName}: ${error}`);
    }
    return result;
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
    const rollingOut = result.settling;
    if (!failed && !rollingOut) {
      this.retries.delete(clusterName);
      return;
    }
    const attempt = failed ? (previous?.attempt ?? 0) + 1 : 0;
    let delay = result.waitingForGitOps
      ? this.options.gitPollMs ?? 5_000
      : this.options.rolloutPollMs ?? 1_000;
    if (failed) {
      delay = Math.min(
        (this.options.retryBaseMs ?? 5_000) * 2 ** (attempt - 1),
        300_000,
      );
    }
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
