import { ConflictError } from '@backstage/errors';
import { PermissionCriteria } from '@backstage/plugin-permission-common';
import {
  LastApply,
  TraceArrival,
  TargetCheck,
  TracingRequest,
  TracingRequestHistoryEntry,
  TracingRequestStatus,
} from '@tracegate/plugin-tracing-common';

/**
 * A request as filed, before the store gives it an id, state and timestamps.
 *
 * @internal
 */
export type NewTracingRequest = Omit<
  TracingRequest,
  'id' | 'status' | 'createdAt' | 'updatedAt' | 'decision' | 'lastApply'
>;

/**
 * A write lost the race for a target: another live request holds it
 * (`holder`, when it could be read).
 */
export class TargetHeldError extends ConflictError {
  constructor(readonly holder: TracingRequest | undefined) {
    super(
      holder
        ? `${holder.workload.kind} ${holder.namespace}/${holder.workload.name} on cluster ${holder.cluster} is held by live request ${holder.id} (${holder.status})`
        : 'Another live request holds this target; reload and try again',
    );
  }
}

/** What identifies a request's target on its cluster. */
export type TargetOf = Pick<
  TracingRequest,
  'cluster' | 'namespace' | 'workload'
>;

/**
 * A field condition that permission rules turn into (the `TQuery` of the
 * tracing-request resource type).
 *
 * @public
 */
export type TracingRequestFilter = {
  field: 'requestedBy' | 'entityOwner' | 'status' | 'cluster';
  values: string[];
};

/** @internal */
export type ListTracingRequestsOptions = {
  entityRef?: string;
  cluster?: string;
  requestedBy?: string;
  /** Requests that replace this one. */
  supersedes?: string;
  statuses?: TracingRequestStatus[];
  /** Each word (case-insensitive) in the service, workload, namespace, cluster, requester or reason. */
  q?: string;
  /** Conditions from the permission policy, applied in the query. */
  filter?: PermissionCriteria<TracingRequestFilter>;
  limit: number;
  cursor?: string;
};

/**
 * One state change, applied only if the request is still in `from`.
 *
 * @internal
 */
export type TracingRequestTransition = {
  id: string;
  from: TracingRequestStatus;
  to: TracingRequestStatus;
  actor: string;
  at: string;
  comment?: string;
  /** Record the change as the request's decision (approve/reject). */
  recordDecision?: boolean;
  /** Record the outcome of applying the request to its cluster. */
  lastApply?: LastApply;
  /** Record a new live check of the target. */
  targetCheck?: TargetCheck;
  /**
   * Take this target (a replacement being approved). A move to a final state
   * always releases it.
   */
  claimTarget?: TargetOf;
};

/**
 * Durable storage of tracing requests and their history.
 *
 * @internal
 */
export interface TracingRequestStore {
  /**
   * Stores a pending request. A request that is not a replacement takes its
   * target: a 409 naming the holder when another live request has it.
   */
  create(
    request: NewTracingRequest,
    options: { actor: string; at: string },
  ): Promise<TracingRequest>;

  /** The pending or live request that holds the target, if any. */
  findTargetHolder(target: TargetOf): Promise<TracingRequest | undefined>;

  get(id: string): Promise<TracingRequest | undefined>;

  getHistory(id: string): Promise<TracingRequestHistoryEntry[]>;

  /** One page, newest first, with the cursor of the next page if any. */
  list(
    options: ListTracingRequestsOptions,
  ): Promise<{ items: TracingRequest[]; nextCursor?: string }>;

  /**
   * Compare-and-set: moves the request from `from` to `to` and writes the
   * history row in one transaction. Resolves to the updated request, or to
   * `undefined` when the request was not in `from` any more (a lost race).
   */
  transition(
    transition: TracingRequestTransition,
  ): Promise<TracingRequest | undefined>;

  /**
   * Several compare-and-sets in one transaction, all or none (a replacement
   * and the request it ends). Resolves to the updated requests in order, or
   * to `undefined` when any was not in its `from` any more.
   */
  transitionAll(
    transitions: TracingRequestTransition[],
  ): Promise<TracingRequest[] | undefined>;

  /** Requests of a cluster in one of `statuses`, oldest first. */
  listByCluster(options: {
    cluster: string;
    statuses: readonly TracingRequestStatus[];
  }): Promise<TracingRequest[]>;

  /**
   * Records an apply outcome without a change of state, if the request is
   * still in `status`. Resolves to whether it was.
   */
  recordApply(options: {
    id: string;
    status: TracingRequestStatus;
    lastApply: LastApply;
  }): Promise<boolean>;

  /**
   * Records what the "traces arriving" check found, if the request is still
   * `active`, and the target check as it found it anew (Beyla's names for
   * the running pods), if it did. Resolves to whether it was active.
   */
  recordTraceArrival(options: {
    id: string;
    traces: TraceArrival;
    targetCheck?: TargetCheck;
  }): Promise<boolean>;

  /**
   * Requests in one of `statuses` whose `expiresAt` is at or before `at`
   * (`notWarned`: whose requester was not yet told it expires soon).
   */
  listExpired(options: {
    at: string;
    statuses: readonly TracingRequestStatus[];
    notWarned?: boolean;
  }): Promise<TracingRequest[]>;

  /**
   * Marks the request's expiry warning as sent; false when it already was
   * (so exactly one caller sends it).
   */
  claimExpiryWarning(id: string): Promise<boolean>;
}
