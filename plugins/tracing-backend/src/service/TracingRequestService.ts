import {
  AuditorService,
  UserInfoService,
  BackstageCredentials,
  BackstageUserPrincipal,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  RELATION_MEMBER_OF,
  RELATION_OWNED_BY,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import {
  AuthorizeResult,
  isResourcePermission,
  Permission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  ConditionTransformer,
  PermissionRuleset,
  createConditionAuthorizer,
  createConditionTransformer,
} from '@backstage/plugin-permission-node';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  DecisionInput,
  ExtendInput,
  ListRequestsQuery,
  TARGET_HOLDING_STATUSES,
  TargetCheck,
  LIVE_TRACING_REQUEST_STATUSES,
  TRACING_REQUEST_TRANSITIONS,
  TracingRequest,
  TracingRequestAction,
  TracingRequestInput,
  TracingRequestPage,
  TracingRequestWithHistory,
  tracingRequestAnyTargetPermission,
  tracingRequestApprovePermission,
  tracingRequestCancelPermission,
  tracingRequestCreatePermission,
  tracingRequestReadPermission,
  tracingRequestRevokePermission,
} from '@tracegate/plugin-tracing-common';
import type { Request } from 'express';
import { liveRequestConflictMessage } from '../database/DatabaseTracingRequestStore';
import {
  TracingRequestFilter,
  TracingRequestStore,
} from '../database/TracingRequestStore';
import { tracingPolicyDecision } from '../permissions/policy';
import { RequestTransitions } from '../lifecycle/RequestTransitions';
import { TargetCheckResult, TargetService } from '../targets/TargetService';
import { RequestNotifier } from '../notifications/RequestNotifier';
import { AutoApproveRule, matchingRule, POLICY_ACTOR } from './autoApprove';
import { TracingConfig } from './config';

/** Who asks, and the HTTP request for the audit log. */
export type Caller = {
  credentials: BackstageCredentials<BackstageUserPrincipal>;
  request?: Request;
};

/** @internal */
export type TracingRequestServiceOptions = {
  store: TracingRequestStore;
  catalog: CatalogService;
  permissions: PermissionsService;
  auditor: AuditorService;
  logger: LoggerService;
  config: TracingConfig;
  ruleset: PermissionRuleset<TracingRequest, TracingRequestFilter>;
  transitions: RequestTransitions;
  targets: TargetService;
  /** Tells people of new requests and expiries (state changes: transitions). */
  notifier?: RequestNotifier;
  /**
   * Whether Backstage's permission framework is on (`permission.enabled`).
   * When it is off, every permission is allowed, so the plugin applies its
   * default rules itself, with {@link TracingRequestServiceOptions.userInfo}:
   * an approval step anyone can pass is no approval.
   */
  permissionsEnabled?: boolean;
  userInfo?: UserInfoService;
  now?: () => Date;
};

/** A request as filed, with the `tracing.autoApprove` rule it matches. */
export type PreparedRequest = TracingRequest & {
  autoApproveRule?: AutoApproveRule;
};

/** How long before expiry the requester is warned. */
const EXPIRY_WARNING_MS = 86_400_000;

const USER_ACTIONS = {
  approve: tracingRequestApprovePermission,
  reject: tracingRequestApprovePermission,
  cancel: tracingRequestCancelPermission,
  revoke: tracingRequestRevokePermission,
} satisfies Partial<Record<TracingRequestAction, Permission>>;

/** @internal */
export type UserAction = keyof typeof USER_ACTIONS;

/**
 * The request lifecycle: who may do what, in which state, with history and
 * audit. The router only parses input and calls this.
 *
 * @internal
 */
export class TracingRequestService {
  private readonly authorizeConditions: (
    decision: PolicyDecision,
    resource: TracingRequest | undefined,
  ) => boolean;
  private readonly toFilter: ConditionTransformer<TracingRequestFilter>;
  private readonly now: () => Date;

  constructor(private readonly options: TracingRequestServiceOptions) {
    this.authorizeConditions = createConditionAuthorizer(options.ruleset);
    this.toFilter = createConditionTransformer(options.ruleset);
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
      const created = await this.options.store.create(filed, {
        actor: candidate.requestedBy,
        at: createdAt,
      });
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
   * The request `input` would become, checked as a create is (cluster,
   * catalog entity, permission) but not stored: for create and preview.
   */
  async prepare(
    input: TracingRequestInput,
    caller: Caller,
  ): Promise<PreparedRequest> {
    if (!this.options.config.clusterNames.includes(input.cluster)) {
      const known = this.options.config.clusterNames.join(', ') || 'none';
      throw new InputError(
        `cluster: is not a configured cluster (configured: ${known})`,
      );
    }
    if (
      input.method === 'ebpf' &&
      this.options.config.beylaExcludedNamespaces[input.cluster]?.includes(
        input.namespace,
      )
    ) {
      throw new InputError(
        `namespace: ${input.namespace} is in Beyla's default exclusions (discovery.default_exclude_instrument): Beyla would not instrument it even with a discovery entry. A platform admin can allow it on cluster ${input.cluster} with tracing.clusters[].beyla.allowExcludedNamespaces`,
      );
    }
    const entity = await this.loadService(input.entityRef, caller);
    const at = this.now().toISOString();
    const candidate: TracingRequest = {
      ...input,
      entityRef: stringifyEntityRef(entity),
      entityOwner: ownerOf(entity),
      requestedBy: caller.credentials.principal.userEntityRef,
      id: '',
      status: 'pending',
      createdAt: at,
      updatedAt: at,
    };
    await this.authorize(tracingRequestCreatePermission, candidate, caller);
    const check = await this.options.targets.check(entity, candidate);
    const anyTarget = await this.allows(
      tracingRequestAnyTargetPermission,
      undefined,
      caller,
    );
    assertTargetAllowed(check, anyTarget);
    await this.checkTargetIsFree(candidate);
    candidate.targetCheck = recordedCheck(check, anyTarget);
    const rule = matchingRule(
      this.options.config.autoApprove,
      candidate,
      typeof entity.spec?.lifecycle === 'string'
        ? entity.spec.lifecycle
        : undefined,
      this.now().getTime(),
    );
    return rule ? { ...candidate, autoApproveRule: rule } : candidate;
  }

  /**
   * A second request for a target with a live one is a 409 naming it, unless
   * it replaces exactly that one (and no other replacement is pending).
   */
  private async checkTargetIsFree(candidate: TracingRequest) {
    const holder = await this.options.store.findTargetHolder(candidate);
    if (!candidate.supersedes) {
      if (holder) throw new ConflictError(liveRequestConflictMessage(holder));
      return;
    }
    // Only the request that holds the target can be replaced: no chains.
    if (holder?.id !== candidate.supersedes) {
      throw new InputError(
        `supersedes: request ${candidate.supersedes} does not hold ${
          candidate.workload.kind
        } ${candidate.namespace}/${candidate.workload.name} on cluster ${
          candidate.cluster
        }${
          holder
            ? ` (request ${holder.id} does)`
            : ' (no live request does: file without supersedes)'
        }`,
      );
    }
    if (holder.entityRef !== candidate.entityRef) {
      throw new InputError(
        `supersedes: request ${holder.id} is for ${holder.entityRef}; a replacement keeps the entity`,
      );
    }
    const pending = await this.options.store.list({
      supersedes: holder.id,
      statuses: ['pending'],
      limit: 1,
    });
    if (pending.items.length > 0) {
      throw new ConflictError(
        `Request ${holder.id} already has a pending replacement: ${pending.items[0].id}. Cancel it or wait for its decision`,
      );
    }
  }

  /**
   * The default policy's rules ({@link tracingPolicyDecision}), applied by
   * the plugin itself when the permission framework is off: Backstage then
   * allows everything, and an approval anyone can pass is no approval.
   */
  private async builtInRules(
    permission: Permission,
    request: TracingRequest | undefined,
    caller: Caller,
  ): Promise<boolean> {
    const decision = tracingPolicyDecision(
      permission,
      await this.userInfoOf(caller),
      this.options.config.adminGroup,
    );
    return !decision || this.authorizeConditions(decision, request);
  }

  private async userInfoOf(caller: Caller) {
    if (!this.options.userInfo) {
      throw new Error(
        'The permission framework is off and no userInfo service was given: cannot apply the default rules',
      );
    }
    return this.options.userInfo.getUserInfo(caller.credentials);
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
    const request = await this.load(id);
    await this.authorize(tracingRequestReadPermission, request, caller);
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

  /**
   * What approve checks again, since the request was filed: the entity is
   * still there and still the requester's, and the target still exists and
   * is still the entity's. Resolves to the fresh target check.
   */
  private async recheckForApproval(
    request: TracingRequest,
    caller: Caller,
  ): Promise<TargetCheck> {
    const entity = await this.findEntity(request.entityRef, caller);
    if (!entity) {
      throw new ConflictError(
        `${request.entityRef} is no longer in the catalog; reject the request`,
      );
    }
    const owner = ownerOf(entity);
    if (
      owner !== request.entityOwner &&
      !(await this.isMember(request.requestedBy, owner, caller))
    ) {
      throw new ConflictError(
        `${request.entityRef} is now owned by ${owner}, and the requester ${request.requestedBy} is not in it; reject the request (the new owners can file their own)`,
      );
    }
    const check = await this.options.targets.check(entity, request);
    if (check.result === 'not-found') {
      throw new ConflictError(
        `${check.message}: it was removed after the request was filed, so there is nothing to trace; reject the request`,
      );
    }
    if (check.owned === false && !request.targetCheck?.anyTarget) {
      throw new ConflictError(
        `${check.message}: it is no longer the entity's own; reject the request`,
      );
    }
    return recordedCheck(check, request.targetCheck?.anyTarget ?? false);
  }

  /** Whether the user is the owner or a member of the owning group. */
  private async isMember(
    userRef: string,
    ownerRef: string,
    caller: Caller,
  ): Promise<boolean> {
    if (userRef === ownerRef) return true;
    const user = await this.findEntity(userRef, caller);
    return Boolean(
      user?.relations?.some(
        r => r.type === RELATION_MEMBER_OF && r.targetRef === ownerRef,
      ),
    );
  }

  async get(id: string, caller: Caller): Promise<TracingRequestWithHistory> {
    const request = await this.load(id);
    await this.authorize(tracingRequestReadPermission, request, caller);
    return { ...request, history: await this.options.store.getHistory(id) };
  }

  async list(
    query: ListRequestsQuery,
    caller: Caller,
  ): Promise<TracingRequestPage> {
    const [decision] = await this.options.permissions.authorizeConditional(
      [{ permission: tracingRequestReadPermission }],
      { credentials: caller.credentials },
    );
    if (decision.result === AuthorizeResult.DENY) {
      throw new NotAllowedError('You may not read tracing requests');
    }
    return this.options.store.list({
      entityRef: query.entityRef,
      cluster: query.cluster,
      requestedBy: query.requestedBy,
      statuses: query.status,
      q: query.q,
      limit: query.limit,
      cursor: query.cursor,
      filter:
        decision.result === AuthorizeResult.CONDITIONAL
          ? this.toFilter(decision.conditions)
          : undefined,
    });
  }

  /**
   * Whether the caller may approve (the queue): the policy allows it, and,
   * with the permission framework off, the caller is in tracing.adminGroup.
   */
  async mayApprove(caller: Caller): Promise<boolean> {
    return this.allows(tracingRequestApprovePermission, undefined, caller);
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
      const request = await this.load(id);
      await this.authorize(USER_ACTIONS[action], request, caller);
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
              targetCheck: await this.recheckForApproval(request, caller),
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

  private async load(id: string): Promise<TracingRequest> {
    const request = await this.options.store.get(id);
    if (!request) {
      throw new NotFoundError(`No tracing request with id ${id}`);
    }
    return request;
  }

  private async authorize(
    permission: Permission,
    request: TracingRequest,
    caller: Caller,
  ): Promise<void> {
    if (!(await this.allows(permission, request, caller))) {
      throw new NotAllowedError(
        `You may not ${permission.name.replace(
          'tracing.request.',
          '',
        )} this tracing request`,
      );
    }
  }

  /**
   * Whether the caller holds the permission (for a resource permission, on
   * `request`): the policy's answer and, when the permission framework is
   * off, the plugin's own rules.
   */
  private async allows(
    permission: Permission,
    request: TracingRequest | undefined,
    caller: Caller,
  ): Promise<boolean> {
    let allowed: boolean;
    if (isResourcePermission(permission)) {
      const [decision] = await this.options.permissions.authorizeConditional(
        [{ permission }],
        { credentials: caller.credentials },
      );
      allowed = this.authorizeConditions(decision, request);
    } else {
      const [decision] = await this.options.permissions.authorize(
        [{ permission }],
        { credentials: caller.credentials },
      );
      allowed = decision.result === AuthorizeResult.ALLOW;
    }
    if (allowed && !this.options.permissionsEnabled) {
      allowed = await this.builtInRules(permission, request, caller);
    }
    return allowed;
  }

  /**
   * The request's target as the live cluster has it now (the approver's
   * preview); `not-verified` when the entity is gone from the catalog.
   */
  async checkTargetNow(
    request: TracingRequest,
    caller: Caller,
  ): Promise<TargetCheck> {
    const entity = await this.findEntity(request.entityRef, caller);
    if (!entity) {
      return {
        result: 'not-verified',
        at: this.now().toISOString(),
        message: `${request.entityRef} is no longer in the catalog`,
      };
    }
    return recordedCheck(
      await this.options.targets.check(entity, request),
      request.targetCheck?.anyTarget ?? false,
    );
  }

  /** The catalog entity as the caller may see it, or a 404. */
  async loadEntity(entityRef: string, caller: Caller): Promise<Entity> {
    const entity = await this.findEntity(entityRef, caller);
    if (!entity) throw new NotFoundError(`${entityRef} is not in the catalog`);
    return entity;
  }

  private findEntity(entityRef: string, caller: Caller) {
    return this.options.catalog.getEntityByRef(entityRef, {
      credentials: caller.credentials,
    });
  }

  /** The catalog Component of type service behind `entityRef`, or a 400. */
  private async loadService(entityRef: string, caller: Caller) {
    let ref;
    try {
      ref = parseEntityRef(entityRef, { defaultKind: 'component' });
    } catch (error) {
      throw new InputError(`entityRef: ${(error as Error).message}`);
    }
    if (ref.kind.toLocaleLowerCase('en-US') !== 'component') {
      throw new InputError('entityRef: must be a Component');
    }
    const entity = await this.options.catalog.getEntityByRef(ref, {
      credentials: caller.credentials,
    });
    if (!entity) {
      throw new InputError(
        `entityRef: ${stringifyEntityRef(ref)} is not in the catalog`,
      );
    }
    if (entity.spec?.type !== 'service') {
      throw new InputError('entityRef: must be a Component of type service');
    }
    return entity;
  }
}

/** The entity's owner as a full entity ref. */
function ownerOf(entity: Entity): string {
  const relation = entity.relations?.find(r => r.type === RELATION_OWNED_BY);
  if (relation) return relation.targetRef;
  const owner = entity.spec?.owner;
  if (typeof owner !== 'string' || !owner) {
    throw new InputError('entityRef: the entity has no owner');
  }
  return stringifyEntityRef(
    parseEntityRef(owner, {
      defaultKind: 'group',
      defaultNamespace: entity.metadata.namespace ?? 'default',
    }),
  );
}

/**
 * Refuses, as a 400 naming the field, a target that does not exist or is not
 * the entity's own (unless the caller may target any workload).
 */
function assertTargetAllowed(check: TargetCheckResult, anyTarget: boolean) {
  if (check.result === 'not-found') {
    throw new InputError(`${check.field}: ${check.message}`);
  }
  if (check.owned === false && !anyTarget) {
    throw new InputError(
      `workload.name: ${check.message}; pick one of the entity's own, or ask a platform admin`,
    );
  }
}

/** The check as stored on the request. */
function recordedCheck(
  { field, ...check }: TargetCheckResult,
  anyTarget: boolean,
): TargetCheck {
  return anyTarget && check.owned !== true
    ? { ...check, anyTarget: true }
    : check;
}
