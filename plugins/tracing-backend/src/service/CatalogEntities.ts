/**
 * The catalog as tracing requests need it: the service a request is for,
 * its owner, and whether a user belongs to that owner, read with the
 * caller's credentials.
 */
import {
  Entity,
  parseEntityRef,
  RELATION_MEMBER_OF,
  RELATION_OWNED_BY,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { Caller } from './Caller';
import { fieldInputError } from './fieldInputError';

/** @internal */
export class CatalogEntities {
  constructor(private readonly catalog: CatalogService) {}

  /** The entity as the caller may see it, if it is there. */
  find(entityRef: string, caller: Caller): Promise<Entity | undefined> {
    return this.catalog.getEntityByRef(entityRef, {
      credentials: caller.credentials,
    });
  }

  /** The entity as the caller may see it, or a 404. */
  async load(entityRef: string, caller: Caller): Promise<Entity> {
    const entity = await this.find(entityRef, caller);
    if (!entity) throw new NotFoundError(`${entityRef} is not in the catalog`);
    return entity;
  }

  /**
   * The catalog Component behind `entityRef` (of any type: where it runs is
   * its annotations' business, checked with its target), or a 400.
   */
  async loadComponent(entityRef: string, caller: Caller): Promise<Entity> {
    let ref;
    try {
      ref = parseEntityRef(entityRef, { defaultKind: 'component' });
    } catch (error) {
      throw fieldInputError({
        field: 'entityRef',
        message: (error as Error).message,
      });
    }
    if (ref.kind.toLocaleLowerCase('en-US') !== 'component') {
      throw fieldInputError({
        field: 'entityRef',
        message: 'must be a Component',
      });
    }
    const entity = await this.catalog.getEntityByRef(ref, {
      credentials: caller.credentials,
    });
    if (!entity) {
      throw fieldInputError({
        field: 'entityRef',
        message: `${stringifyEntityRef(ref)} is not in the catalog`,
      });
    }
    return entity;
  }

  /** Whether the user is the owner or a member of the owning group. */
  async isMember(
    userRef: string,
    ownerRef: string,
    caller: Caller,
  ): Promise<boolean> {
    if (userRef === ownerRef) return true;
    const user = await this.find(userRef, caller);
    return Boolean(
      user?.relations?.some(
        r => r.type === RELATION_MEMBER_OF && r.targetRef === ownerRef,
      ),
    );
  }
}

/** The entity's owner as a full entity ref. */
export function ownerOf(entity: Entity): string {
  const relation = entity.relations?.find(r => r.type === RELATION_OWNED_BY);
  if (relation) return relation.targetRef;
  const owner = entity.spec?.owner;
  if (typeof owner !== 'string' || !owner) {
    throw fieldInputError({
      field: 'entityRef',
      message: 'the entity has no owner',
    });
  }
  return stringifyEntityRef(
    parseEntityRef(owner, {
      defaultKind: 'group',
      defaultNamespace: entity.metadata.namespace ?? 'default',
    }),
  );
}
