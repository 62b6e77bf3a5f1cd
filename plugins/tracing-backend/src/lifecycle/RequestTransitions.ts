import { AuditorService, LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  canTransition,
  LIVE_TRACING_REQUEST_STATUSES,
  TRACING_REQUEST_TRANSITIONS,
  TracingRequest,
  TracingRequestAction,
} from '@tracegate/plugin-tracing-common';
import { TracingRequestStore } from '../database/TracingRequestStore';

/** The actor recorded for changes the backend makes on its own. */
export const SYSTEM_ACTOR = 'tracegate:system';

/** @internal */
export type TransitionOptions = {
  actor: string;
  comment?: string;
  lastApply?: { at: string; error?: string };
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
      });
      if (updated) {
        if (isLive(current) !== isLive(updated)) {
          this.options.onLiveSetChange?.(updated);
        }
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
