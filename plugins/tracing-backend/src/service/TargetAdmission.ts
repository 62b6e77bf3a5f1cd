/**
 * Whether a request may have its target: the target exists and is the
 * entity's own (unless the caller may target any workload), and no other
 * live request holds it, at create and preview; and the same again, with the
 * catalog, at approve.
 */
import { Entity } from '@backstage/catalog-model';
import { ConflictError } from '@backstage/errors';
import {
  TargetCheck,
  TracingRequest,
  tracingRequestAnyTargetPermission,
} from '@tracegate/plugin-tracing-common';
import { TracingRequestStore } from '../database/TracingRequestStore';
import { TargetCheckResult, TargetService } from '../targets/TargetService';
import { Caller } from './Caller';
import { CatalogEntities, ownerOf } from './CatalogEntities';
import { RequestAuthorizer } from './RequestAuthorizer';
import { fieldInputError } from './fieldInputError';

/** Why a target cannot get another request, and how to go on. */
export function liveRequestConflictMessage(existing: TracingRequest): string {
  const { kind, name } = existing.workload;
  return `${kind} ${existing.namespace}/${name} on cluster ${existing.cluster} already has a live request: ${existing.id} (${existing.status}). Extend it (POST /requests/${existing.id}/extend) or file a replacement with supersedes: ${existing.id}`;
}

/** @internal */
export class TargetAdmission {
  private readonly now: () => Date;

  constructor(
    private readonly options: {
      store: TracingRequestStore;
      targets: TargetService;
      entities: CatalogEntities;
      authorizer: RequestAuthorizer;
      now?: () => Date;
    },
  ) {
    this.now = options.now ?? (() => new Date());
  }

  /**
   * The target check a new request is filed with: a 400 naming the field
   * when the target is missing or not the entity's own (for a caller who may
   * not target any workload), a 409 when another live request holds it.
   */
  async admit(
    entity: Entity,
    candidate: TracingRequest,
    caller: Caller,
  ): Promise<TargetCheck> {
    const check = await this.options.targets.check(entity, candidate);
    const anyTarget = await this.options.authorizer.allows(
      tracingRequestAnyTargetPermission,
      undefined,
      caller,
    );
    if (check.result === 'not-found') {
      throw fieldInputError({
        field: check.field ?? 'workload.name',
        message: check.message ?? 'does not exist',
      });
    }
    if (check.owned === false && !anyTarget) {
      throw fieldInputError({
        field: 'workload.name',
        message: `${check.message}; pick one of the entity's own, or ask a platform admin`,
      });
    }
    await this.checkTargetIsFree(candidate);
    return recordedCheck(check, anyTarget);
  }

  /**
   * What approve checks again, since the request was filed: the entity is
   * still there and still the requester's, and the target still exists and
   * is still the entity's. Resolves to the fresh target check.
   */
  async recheckForApproval(
    request: TracingRequest,
    caller: Caller,
  ): Promise<TargetCheck> {
    const { entities } = this.options;
    const entity = await entities.find(request.entityRef, caller);
    if (!entity) {
      throw new ConflictError(
        `${request.entityRef} is no longer in the catalog; reject the request`,
      );
    }
    const owner = ownerOf(entity);
    if (
      owner !== request.entityOwner &&
      !(await entities.isMember(request.requestedBy, owner, caller))
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

  /**
   * The request's target as the live cluster has it now (the approver's
   * preview); `not-verified` when the entity is gone from the catalog.
   */
  async checkNow(
    request: TracingRequest,
    caller: Caller,
  ): Promise<TargetCheck> {
    const entity = await this.options.entities.find(request.entityRef, caller);
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

  /**
   * A second request for a target with a live one is a 409 naming it, unless
   * it replaces exactly that one (and no other replacement is pending).
   */
  private async checkTargetIsFree(candidate: TracingRequest) {
    const { store } = this.options;
    const holder = await store.findTargetHolder(candidate);
    if (!candidate.supersedes) {
      if (holder) throw new ConflictError(liveRequestConflictMessage(holder));
      return;
    }
    // Only the request that holds the target can be replaced: no chains.
    if (holder?.id !== candidate.supersedes) {
      throw fieldInputError({
        field: 'supersedes',
        message: `request ${candidate.supersedes} does not hold ${
          candidate.workload.kind
        } ${candidate.namespace}/${candidate.workload.name} on cluster ${
          candidate.cluster
        }${
          holder
            ? ` (request ${holder.id} does)`
            : ' (no live request does: file without supersedes)'
        }`,
      });
    }
    if (holder.entityRef !== candidate.entityRef) {
      throw fieldInputError({
        field: 'supersedes',
        message: `request ${holder.id} is for ${holder.entityRef}; a replacement keeps the entity`,
      });
    }
    const pending = await store.list({
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
