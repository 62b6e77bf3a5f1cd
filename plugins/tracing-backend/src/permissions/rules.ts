import {
  createConditionExports,
  createPermissionResourceRef,
  createPermissionRule,
} from '@backstage/plugin-permission-node';
import {
  TRACING_REQUEST_RESOURCE_TYPE,
  TRACING_REQUEST_STATUSES,
  TracingRequest,
} from '@tracegate/plugin-tracing-common';
import { z } from 'zod';
import { TracingRequestFilter } from '../database/TracingRequestStore';

/**
 * The tracing-request resource type: a request, or the candidate request of a
 * create call (whose id is still empty).
 *
 * @public
 */
export const tracingRequestResourceRef = createPermissionResourceRef<
  TracingRequest,
  TracingRequestFilter
>().with({
  pluginId: 'tracing',
  resourceType: TRACING_REQUEST_RESOURCE_TYPE,
});

const claimsSchema = z.object({
  claims: z
    .array(z.string())
    .describe('Entity refs of the caller, e.g. its ownershipEntityRefs'),
});

const isRequester = createPermissionRule({
  name: 'IS_REQUESTER',
  description: 'Allow the user who filed the request',
  resourceRef: tracingRequestResourceRef,
  paramsSchema: claimsSchema,
  apply: (request, { claims }) => claims.includes(request.requestedBy),
  toQuery: ({ claims }) => ({ field: 'requestedBy', values: claims }),
});

const isEntityOwner = createPermissionRule({
  name: 'IS_ENTITY_OWNER',
  description: 'Allow owners of the catalog entity the request is for',
  resourceRef: tracingRequestResourceRef,
  paramsSchema: claimsSchema,
  apply: (request, { claims }) => claims.includes(request.entityOwner),
  toQuery: ({ claims }) => ({ field: 'entityOwner', values: claims }),
});

const hasStatus = createPermissionRule({
  name: 'HAS_STATUS',
  description: 'Allow requests in one of the given states',
  resourceRef: tracingRequestResourceRef,
  paramsSchema: z.object({
    statuses: z.array(z.enum(TRACING_REQUEST_STATUSES)),
  }),
  apply: (request, { statuses }) => statuses.includes(request.status),
  toQuery: ({ statuses }) => ({ field: 'status', values: statuses }),
});

const isOnCluster = createPermissionRule({
  name: 'IS_ON_CLUSTER',
  description: 'Allow requests for one of the given clusters',
  resourceRef: tracingRequestResourceRef,
  paramsSchema: z.object({ clusters: z.array(z.string()) }),
  apply: (request, { clusters }) => clusters.includes(request.cluster),
  toQuery: ({ clusters }) => ({ field: 'cluster', values: clusters }),
});

/**
 * The rules a permission policy can use on tracing requests.
 *
 * @public
 */
export const tracingRequestRules = {
  isRequester,
  isEntityOwner,
  hasStatus,
  isOnCluster,
};

const conditionExports = createConditionExports({
  resourceRef: tracingRequestResourceRef,
  rules: tracingRequestRules,
});

/**
 * Condition factories for permission policies, e.g.
 * `tracingRequestConditions.isEntityOwner({ claims })`.
 *
 * @public
 */
export const tracingRequestConditions = conditionExports.conditions;

/**
 * Wraps conditions into a conditional decision for a tracing-request permission.
 *
 * @public
 */
export const createTracingRequestConditionalDecision =
  conditionExports.createConditionalDecision;
