import { AuditorService, LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  canTransition,
  FINAL_TRACING_REQUEST_STATUSES,
  LIVE_TRACING_REQUEST_STATUSES,
  TRACING_REQUEST_TRANSITIONS,
  TracingRequest,
  TracingRequestAction,
  TargetCheck,
} from '@tracegate/plugin-tracing-common';
import { TracingRequestStore } from '../database/TracingRequestStore';

/** The actor recorded for changes the backend makes on its own. */
export const SYSTEM_ACTOR = 'tracegate:system';

/** @internal */
export type TransitionOptions = {
  actor: string;
  comment?: string;
  lastApply?: { at: string; error?: string };
  targetCheck?: TargetCheck;
};

/**
 * The one way a request changes state: the state machine table decides,
 * the store compares-and-sets and writes the history row in one transaction.
 * Users' actions are audited by their caller (with the HTTP request); the
 * backend's own ({@link RequestTransitions.bySystem}) here.
 *
 * @internal
 */
export class RequestTransitions {
  private readonly now: () => Date;

  constructor(
    private readonly options: {
      store: TracingRequestStore;
      auditor: AuditorService;
      logger: LoggerService;
      /**
       * Called when a request enters or leaves the live states, i.e. when
       * what its cluster should hold changes.
       */
      onLiveSetChange?: (request: TracingRequest) => void;
      /** Called after every change of state, with its comment (notifications). */
      onChange?: (request: TracingRequest, comment?: string) => void;
      now?: () => Date;
    },
  ) {
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Takes `action` on the request. When another writer moved it between our
   * read and our write and the action is still allowed from the new state,
   * it is taken from there; anything else is a 409.
   */
  async transition(
    request: TracingRequest,
    action: TracingRequestAction,
    options: TransitionOptions,
  ): Promise<TracingRequest> {
    let current = request;
    for (let attempt = 0; attempt < 3; attempt++) {
      if (!canTransition(current.status, action)) {
        throw new ConflictError(
          `Cannot ${action} a request that is ${current.status}`,
        );
      }
      const to = TRACING_REQUEST_TRANSITIONS[action].to;
      const updated = await this.options.store.transition({
        id: current.id,
        from: current.status,
        to,
        actor: options.actor,
        at: this.now().toISOString(),
        comment: options.comment,
        recordDecision: action === 'approve' || action === 'reject',
        lastApply: options.lastApply,
        targetCheck: options.targetCheck,
        // A replacement whose predecessor ended meanwhile takes the target
        // over as it goes live (a 409 if a new request took it first).
        claimTarget:
          action === 'approve' && current.supersedes ? current : undefined,
      });
      if (updated) {
        if (isLive(current) !== isLive(updated)) {
          this.options.onLiveSetChange?.(updated);
        }
        this.options.onChange?.(updated, options.comment);
        return updated;
      }
      const latest = await this.options.store.get(current.id);
      if (!latest)
        throw new NotFoundError(`No tracing request with id ${current.id}`);
      current = latest;
    }
    throw new ConflictError(
      `The request changed meanwhile (it is now ${current.status}); reload and try again`,
    );
  }

  /**
   * Approves the request. A replacement ends the request it replaces in the
   * same database transaction (cancelled if still pending, else revoked) and
   * takes its target over: the cluster never has both, nor neither.
   */
  async approve(
    request: TracingRequest,
    options: TransitionOptions,
  ): Promise<TracingRequest> {
    const replaced = request.supersedes
      ? await this.options.store.get(request.supersedes)
      : undefined;
    if (!replaced || FINAL_TRACING_REQUEST_STATUSES.includes(replaced.status)) {
      return this.transition(request, 'approve', options);
    }
    if (!canTransition(request.status, 'approve')) {
      throw new ConflictError(
        `Cannot approve a request that is ${request.status}`,
      );
    }
    const end = replaced.status === 'pending' ? 'cancel' : 'revoke';
    const at = this.now().toISOString();
    const updated = await this.options.store.transitionAll([
      {
        id: replaced.id,
        from: replaced.status,
        to: TRACING_REQUEST_TRANSITIONS[end].to,
        actor: options.actor,
        at,
        comment: `replaced by request ${request.id}`,
      },
      {
        id: request.id,
        from: request.status,
        to: TRACING_REQUEST_TRANSITIONS.approve.to,
        actor: options.actor,
        at,
        comment: options.comment,
        recordDecision: true,
        targetCheck: options.targetCheck,
        claimTarget: request,
      },
    ]);
    if (!updated) {
      throw new ConflictError(
        `The request or request ${replaced.id}, which it replaces, changed meanwhile; reload and try again`,
      );
    }
    const [ended, approved] = updated;
    if (isLive(replaced)) this.options.onLiveSetChange?.(ended);
    this.options.onLiveSetChange?.(approved);
    this.options.onChange?.(ended, `replaced by request ${request.id}`);
    this.options.onChange?.(approved, options.comment);
    return approved;
  }

  /**
   * A change the backend makes on its own (activate, fail, expire): the
   * system actor, and an auditor event `request-<action>`. Resolves to
   * undefined when the request had moved on meanwhile (the next pass sees
   * its new state).
   */
  async bySystem(
    request: TracingRequest,
    action: TracingRequestAction,
    options: Omit<TransitionOptions, 'actor'> = {},
  ): Promise<TracingRequest | undefined> {
    const audit = await this.options.auditor.createEvent({
      eventId: `request-${action}`,
      severityLevel: action === 'fail' ? 'high' : 'medium',
      meta: { requestId: request.id },
    });
    try {
      const updated = await this.transition(request, action, {
        ...options,
        actor: SYSTEM_ACTOR,
      });
      await audit.success({
        meta: { from: request.status, to: updated.status },
      });
      return updated;
    } catch (error) {
      await audit.fail({ error: error as Error });
      if (!(error instanceof ConflictError)) throw error;
      this.options.logger.info(
        `Did not ${action} tracing request ${request.id}: ${error.message}`,
      );
      return undefined;
    }
  }
}

function isLive(request: TracingRequest): boolean {
  return LIVE_TRACING_REQUEST_STATUSES.includes(request.status);
}
