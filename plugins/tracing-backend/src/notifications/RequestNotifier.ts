import { LoggerService } from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { NotificationPayload } from '@backstage/plugin-notifications-common';
import { TracingRequest } from '@tracegate/plugin-tracing-common';

/** Where a notification about a request takes its reader. */
export function entityTracingPath(entityRef: string): string {
  const { kind, namespace, name } = parseEntityRef(entityRef);
  return `/catalog/${[namespace, kind.toLocaleLowerCase('en-US'), name]
    .map(encodeURIComponent)
    .join('/')}/tracing`;
}

/** The queue, searching for the request's target (its row). */
function queueItemPath(request: TracingRequest): string {
  const words = `${request.cluster} ${request.namespace} ${request.workload.name}`;
  return `/tracing/admin?${new URLSearchParams({ q: words })}`;
}

/**
 * Tells people what happened to a request, through Backstage's notification
 * system (so a host app's e-mail or Slack modules deliver them too): the
 * admin group of a new pending request; the requester of its approval,
 * rejection, activation, failure, coming expiry and expiry. One topic per
 * request, so its notifications group; a scope per event, so a repeated
 * send updates rather than duplicates. A failure to notify is logged and
 * never fails the change that caused it.
 *
 * @internal
 */
export class RequestNotifier {
  constructor(
    private readonly options: {
      notifications: NotificationService;
      logger: LoggerService;
      adminGroup: string;
    },
  ) {}

  /** A new request: admins review it, unless a rule approved it at once. */
  async filed(request: TracingRequest) {
    if (request.status !== 'pending') return;
    await this.send(request, [this.options.adminGroup], 'filed', {
      title: `Tracing request to review: ${subject(request)}`,
      description: `${request.requestedBy} asks for ${request.method} tracing (${request.sampling.sampler} ${request.sampling.ratio}) until ${request.expiresAt}: ${request.reason}`,
      link: queueItemPath(request),
      severity: 'normal',
    });
  }

  /** A change of state the requester should hear about. */
  async changed(request: TracingRequest, comment?: string) {
    const why = comment ? `: ${comment}` : '';
    const by = request.decision ? ` by ${request.decision.by}` : '';
    const payloads: Partial<
      Record<TracingRequest['status'], Omit<NotificationPayload, 'topic'>>
    > = {
      approved: {
        title: `Tracing approved: ${subject(request)}`,
        description: `Approved${by}${why}. Tracegate is applying it to cluster ${request.cluster}.`,
        severity: 'normal',
      },
      rejected: {
        title: `Tracing rejected: ${subject(request)}`,
        description: `Rejected${by}${why}`,
        severity: 'high',
      },
      active: {
        title: `Tracing active: ${subject(request)}`,
        description: `Its configuration runs on cluster ${request.cluster} until ${request.expiresAt}.`,
        severity: 'normal',
      },
      failed: {
        title: `Tracing failed: ${subject(request)}`,
        description:
          request.lastApply?.error ?? comment ?? 'see the entity tab',
        severity: 'high',
      },
      expired: {
        title: `Tracing expired: ${subject(request)}`,
        description: `It ended at ${request.expiresAt}; its configuration is removed.`,
        severity: 'low',
      },
    };
    const payload = payloads[request.status];
    if (!payload) return;
    await this.send(request, [request.requestedBy], request.status, {
      ...payload,
      link: entityTracingPath(request.entityRef),
    });
  }

  /** 24 hours (or less) before a live request expires. */
  async expiresSoon(request: TracingRequest) {
    await this.send(request, [request.requestedBy], 'expires-soon', {
      title: `Tracing expires soon: ${subject(request)}`,
      description: `It ends at ${request.expiresAt}. Extend it from the entity tab to keep it.`,
      link: entityTracingPath(request.entityRef),
      severity: 'normal',
    });
  }

  private async send(
    request: TracingRequest,
    entityRefs: string[],
    event: string,
    payload: Omit<NotificationPayload, 'topic' | 'scope'>,
  ) {
    try {
      await this.options.notifications.send({
        recipients: { type: 'entity', entityRef: entityRefs },
        payload: {
          ...payload,
          topic: `Tracing request ${request.id}`,
          scope: `tracegate:${request.id}:${event}`,
        },
      });
    } catch (error) {
      this.options.logger.warn(
        `Could not notify ${entityRefs.join(', ')} of tracing request ${
          request.id
        } (${event}): ${(error as Error).message}`,
      );
    }
  }
}

function subject(request: TracingRequest): string {
  return `${request.workload.kind} ${request.namespace}/${request.workload.name} on ${request.cluster}`;
}
