/**
 * The scheduled expiry jobs: warn requesters a day before their request
 * expires (once), and end requests past their `expiresAt`.
 */
import {
  LIVE_TRACING_REQUEST_STATUSES,
  TRACING_REQUEST_TRANSITIONS,
  TracingRequest,
} from '@tracegate/plugin-tracing-common';
import { TracingRequestStore } from '../database/TracingRequestStore';
import { RequestTransitions } from '../lifecycle/RequestTransitions';
import { RequestNotifier } from '../notifications/RequestNotifier';

/** How long before expiry the requester is warned. */
const EXPIRY_WARNING_MS = 86_400_000;

/** @internal */
export class ExpiryJobs {
  private readonly now: () => Date;

  constructor(
    private readonly options: {
      store: TracingRequestStore;
      transitions: RequestTransitions;
      notifier?: RequestNotifier;
      now?: () => Date;
    },
  ) {
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Tells the requester of every live request that expires within a day,
   * once: the warning is claimed in the database before it is sent.
   */
  async warnExpiringSoon(): Promise<number> {
    const now = this.now().getTime();
    const soon = await this.options.store.listExpired({
      at: new Date(now + EXPIRY_WARNING_MS).toISOString(),
      statuses: LIVE_TRACING_REQUEST_STATUSES,
      notWarned: true,
    });
    let warned = 0;
    for (const request of soon) {
      if (Date.parse(request.expiresAt) <= now) continue;
      if (!(await this.options.store.claimExpiryWarning(request.id))) continue;
      await this.options.notifier?.expiresSoon(request);
      warned++;
    }
    return warned;
  }

  /** Moves every live request past its `expiresAt` to `expired`. */
  async expireDue(): Promise<TracingRequest[]> {
    const due = await this.options.store.listExpired({
      at: this.now().toISOString(),
      statuses: TRACING_REQUEST_TRANSITIONS.expire.from,
    });
    const expired: TracingRequest[] = [];
    for (const request of due) {
      const updated = await this.options.transitions.bySystem(
        request,
        'expire',
        { comment: `expired at ${request.expiresAt}` },
      );
      if (updated) expired.push(updated);
    }
    return expired;
  }
}
