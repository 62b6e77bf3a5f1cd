/**
 * The request lifecycle's commands: file (and prepare, for the preview),
 * extend, and approve, reject, cancel or revoke, each authorized, audited
 * and moved through the state machine. The router only parses input and
 * calls these; reads are RequestReads', who may do what RequestAuthorizer's,
 * the catalog CatalogEntities' and the target TargetAdmission's.
 */
import { AuditorService, LoggerService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { ConflictError, NotAllowedError } from '@backstage/errors';
import { Permission } from '@backstage/plugin-permission-common';
import {
  DecisionInput,
  ExtendInput,
  TARGET_HOLDING_STATUSES,
  TracingRequest,
  TracingRequestAction,
  TracingRequestInput,
  tracingRequestApprovePermission,
  tracingRequestCancelPermission,
  tracingRequestCreatePermission,
  tracingRequestReadPermission,
  tracingRequestRevokePermission,
} from '@tracegate/plugin-tracing-common';
import {
  TargetHeldError,
  TracingRequestStore,
} from '../database/TracingRequestStore';
import { RequestTransitions } from '../lifecycle/RequestTransitions';
import { RequestNotifier } from '../notifications/RequestNotifier';
import { AutoApproveRule, matchingRule, POLICY_ACTOR } from './autoApprove';
import { Caller } from './Caller';
import { CatalogEntities, ownerOf } from './CatalogEntities';
import { TracingConfig } from './config';
import { RequestAuthorizer } from './RequestAuthorizer';
import { RequestReads } from './RequestReads';
import { liveRequestConflictMessage, TargetAdmission } from './TargetAdmission';
import { fieldInputError } from './fieldInputError';

export type { Caller } from './Caller';

/** @internal */
export type TracingRequestServiceOptions = {
  store: TracingRequestStore;
  auditor: AuditorService;
  logger: LoggerService;
  config: TracingConfig;
  transitions: RequestTransitions;
  authorizer: RequestAuthorizer;
  entities: CatalogEntities;
  admission: TargetAdmission;
  reads: RequestReads;
  /** Tells people of new requests (state changes: transitions). */
  notifier?: RequestNotifier;
  now?: () => Date;
};

/** A request as filed, with the `tracing.autoApprove` rule it matches. */
export type PreparedRequest = TracingRequest & {
  autoApproveRule?: AutoApproveRule;
};

const USER_ACTIONS = {
  approve: tracingRequestApprovePermission,
  reject: tracingRequestApprovePermission,
  cancel: tracingRequestCancelPermission,
  revoke: tracingRequestRevokePermission,
} satisfies Partial<Record<TracingRequestAction, Permission>>;

/** @internal */
export type UserAction = keyof typeof USER_ACTIONS;

/** @internal */
export class TracingRequestService {
  private readonly now: () => Date;

  constructor(private readonly options: TracingRequestServiceOptions) {
    this.now = options.now ?? (() => new Date());
  }

  async create(
    input: TracingRequestInput,
    caller: Caller,
  ): Promise<TracingRequest> {
    const audit = await this.options.auditor.createEvent({
      eventId: 'request-create',
      severityLevel: 'medium',
      request: caller.request,
      meta: { entityRef: input.entityRef, cluster: input.cluster },
    });
    try {
      const candidate = await this.prepare(input, caller);
      const { id, status, createdAt, updatedAt, autoApproveRule, ...filed } =
        candidate;
      let created: TracingRequest;
      try {
        created = await this.options.store.create(filed, {
          actor: candidate.requestedBy,
          at: createdAt,
        });
      } catch (error) {
        // Another request took the target since the check.
        if (error instanceof TargetHeldError && error.holder) {
          throw new ConflictError(liveRequestConflictMessage(error.holder));
        }
        throw error;
      }
      await audit.success({ meta: { requestId: created.id } });
      if (autoApproveRule) {
        return await this.approveByRule(created, autoApproveRule, caller);
      }
      await this.options.notifier?.filed(created);
      return created;
    } catch (error) {
      await audit.fail({ error: error as Error });
      throw error;
    }
  }

  /**
   * Approval by a `tracing.autoApprove` rule, as the system actor
   * `tracegate:policy`, with the rule in history, audit and notification.
   * The request stays `pending` (in the queue) if the approval fails.
   */
  private async approveByRule(
    request: TracingRequest,
    rule: AutoApproveRule,
    caller: Caller,
  ): Promise<TracingRequest> {
    const audit = await this.options.auditor.createEvent({
      eventId: 'request-approve',
      severityLevel: 'medium',
      request: caller.request,
      meta: { requestId: request.id, actor: POLICY_ACTOR, rule: rule.name },
    });
    try {
      const approved = await this.options.transitions.approve(request, {
        actor: POLICY_ACTOR,
        comment: `approved automatically by rule ${rule.name}`,
        targetCheck: request.targetCheck,
      });
      await audit.success({ meta: { from: 'pending', to: approved.status } });
      return approved;
    } catch (error) {
      await audit.fail({ error: error as Error });
      this.options.logger.warn(
        `Rule ${rule.name} could not approve tracing request ${request.id}; it waits for an admin: ${error}`,
      );
      await this.options.notifier?.filed(request);
      return request;
    }
  }

  /**
   * Whether the caller may file a request for the entity on some configured
   * cluster, as the permission policy decides it for a request of that
   * entity (its owner, the caller as requester, pending): what the tab's
   * "Request tracing" button asks. Filing checks again with the whole request.
   */
  async mayRequestFor(entityRef: string, caller: Caller): Promise<boolean> {
    const entity = await this.options.entities.loadComponent(entityRef, caller);
    const at = this.now().toISOString();
    for (const cluster of this.options.config.clusterNames) {
      // The conditions read the entity, its owner, the requester, the status
      // and the cluster; the target is the form's to choose.
      const candidate = pendingRequest(
        {
          entityRef,
          cluster,
          namespace: '',
          workload: { kind: 'Deployment', name: '' },
          method: 'ebpf',
          sampling: { sampler: 'always_on', ratio: 1 },
          expiresAt: at,
          reason: '',
        },
        entity,
        caller,
        at,
      );
      if (
        await this.options.authorizer.allows(
          tracingRequestCreatePermission,
          candidate,
          caller,
        )
      ) {
        return true;
      }
    }
    return false;
  }

  /**
   * The request `input` would become, checked as a create is (cluster,
   * catalog entity, permission, target) but not stored: for create and
   * preview.
   */
  async prepare(
    input: TracingRequestInput,
    caller: Caller,
  ): Promise<PreparedRequest> {
    const { config } = this.options;
    if (!config.clusterNames.includes(input.cluster)) {
      const known = config.clusterNames.join(', ') || 'none';
      throw fieldInputError({
        field: 'cluster',
        message: `is not a configured cluster (configured: ${known})`,
      });
    }
    if (
      input.method === 'ebpf' &&
      config.beylaExcludedNamespaces[input.cluster]?.includes(input.namespace)
    ) {
      throw fieldInputError({
        field: 'namespace',
        message: `${input.namespace} is in Beyla's default exclusions (discovery.default_exclude_instrument): Beyla would not instrument it even with a discovery entry. A platform admin can allow it on cluster ${input.cluster} with tracing.clusters[].beyla.allowExcludedNamespaces`,
      });
    }
    const entity = await this.options.entities.loadComponent(
      input.entityRef,
      caller,
    );
    const candidate = pendingRequest(
      input,
      entity,
      caller,
      this.now().toISOString(),
    );
    await this.options.authorizer.authorize(
      tracingRequestCreatePermission,
      candidate,
      caller,
    );
    candidate.targetCheck = await this.options.admission.admit(
      entity,
      candidate,
      caller,
    );
    const rule = matchingRule(
      config.autoApprove,
      candidate,
      typeof entity.spec?.lifecycle === 'string'
        ? entity.spec.lifecycle
        : undefined,
      this.now().getTime(),
    );
    return rule ? { ...candidate, autoApproveRule: rule } : candidate;
  }

  /**
   * A new request for the same target with a later expiry (and, optionally,
   * a new reason), replacing this one once approved: filed, checked and
   * approved like any new request.
   */
  async extend(
    id: string,
    input: ExtendInput,
    caller: Caller,
  ): Promise<TracingRequest> {
    const request = await this.options.reads.load(id);
    await this.options.authorizer.authorize(
      tracingRequestReadPermission,
      request,
      caller,
    );
    if (!TARGET_HOLDING_STATUSES.includes(request.status)) {
      throw new ConflictError(
        `Cannot extend a request that is ${request.status}; file a new one`,
      );
    }
    const { entityRef, cluster, namespace, workload, method, sampling } =
      request;
    return this.create(
      {
        entityRef,
        cluster,
        namespace,
        workload,
        method,
        sampling,
        podLabels: request.podLabels,
        openPorts: request.openPorts,
        expiresAt: input.expiresAt,
        reason: input.reason ?? request.reason,
        supersedes: request.id,
      },
      caller,
    );
  }

  /** approve, reject, cancel or revoke, as the caller. */
  async act(
    action: UserAction,
    id: string,
    input: DecisionInput,
    caller: Caller,
  ): Promise<TracingRequest> {
    const audit = await this.options.auditor.createEvent({
      eventId: `request-${action}`,
      severityLevel: 'medium',
      request: caller.request,
      meta: { requestId: id },
    });
    try {
      const request = await this.options.reads.load(id);
      await this.options.authorizer.authorize(
        USER_ACTIONS[action],
        request,
        caller,
      );
      const actor = caller.credentials.principal.userEntityRef;
      if (
        (action === 'approve' || action === 'reject') &&
        request.requestedBy === actor &&
        !this.options.config.allowSelfApproval
      ) {
        throw new NotAllowedError(
          'You may not decide on your own request (tracing.allowSelfApproval is off)',
        );
      }
      if (
        action === 'approve' &&
        Date.parse(request.expiresAt) <= this.now().getTime()
      ) {
        throw new ConflictError(
          'The request expired before it was approved; file a new one',
        );
      }
      const updated =
        action === 'approve'
          ? await this.options.transitions.approve(request, {
              actor,
              comment: input.comment,
              targetCheck: await this.options.admission.recheckForApproval(
                request,
                caller,
              ),
            })
          : await this.options.transitions.transition(request, action, {
              actor,
              comment: input.comment,
            });
      await audit.success({
        meta: { from: request.status, to: updated.status },
      });
      return updated;
    } catch (error) {
      await audit.fail({ error: error as Error });
      throw error;
    }
  }
}

/** The request `input` would be, filed now by the caller: not yet stored. */
function pendingRequest(
  input: TracingRequestInput,
  entity: Entity,
  caller: Caller,
  at: string,
): TracingRequest {
  return {
    ...input,
    entityRef: stringifyEntityRef(entity),
    entityOwner: ownerOf(entity),
    requestedBy: caller.credentials.principal.userEntityRef,
    id: '',
    status: 'pending',
    createdAt: at,
    updatedAt: at,
  };
}
