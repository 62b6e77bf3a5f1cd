import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Resource type of tracing requests in the permission framework.
 *
 * @public
 */
export const TRACING_REQUEST_RESOURCE_TYPE = 'tracing-request';

/**
 * File a tracing request. Authorized against the candidate request, so a
 * policy can say "owners of the entity" (rule `IS_ENTITY_OWNER`).
 *
 * @public
 */
export const tracingRequestCreatePermission = createPermission({
  name: 'tracing.request.create',
  attributes: { action: 'create' },
  resourceType: TRACING_REQUEST_RESOURCE_TYPE,
});

/** @public */
export const tracingRequestReadPermission = createPermission({
  name: 'tracing.request.read',
  attributes: { action: 'read' },
  resourceType: TRACING_REQUEST_RESOURCE_TYPE,
});

/**
 * Approve or reject a pending request. A basic permission (no resource): who
 * approves does not depend on the request, and the UI can ask it up front to
 * show the approval queue. Approvers never decide their own request unless
 * `tracing.allowSelfApproval`; the backend enforces that itself.
 *
 * @public
 */
export const tracingRequestApprovePermission = createPermission({
  name: 'tracing.request.approve',
  attributes: { action: 'update' },
});

/**
 * File a request for any workload of a cluster, not only for one the entity's
 * Kubernetes annotations select. A basic permission; the default policy gives
 * it to platform admins.
 *
 * @public
 */
export const tracingRequestAnyTargetPermission = createPermission({
  name: 'tracing.request.target.any',
  attributes: { action: 'create' },
});

/** @public */
export const tracingRequestRevokePermission = createPermission({
  name: 'tracing.request.revoke',
  attributes: { action: 'update' },
  resourceType: TRACING_REQUEST_RESOURCE_TYPE,
});

/** @public */
export const tracingRequestCancelPermission = createPermission({
  name: 'tracing.request.cancel',
  attributes: { action: 'update' },
  resourceType: TRACING_REQUEST_RESOURCE_TYPE,
});

/**
 * Every Tracegate permission.
 *
 * @public
 */
export const tracingPermissions = [
  tracingRequestCreatePermission,
  tracingRequestReadPermission,
  tracingRequestApprovePermission,
  tracingRequestRevokePermission,
  tracingRequestCancelPermission,
  tracingRequestAnyTargetPermission,
];
