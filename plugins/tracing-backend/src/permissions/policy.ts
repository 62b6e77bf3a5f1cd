import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  isResourcePermission,
  Permission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  TRACING_REQUEST_RESOURCE_TYPE,
  tracingRequestAnyTargetPermission,
  tracingRequestApprovePermission,
  tracingRequestCancelPermission,
  tracingRequestCreatePermission,
  tracingRequestReadPermission,
  tracingRequestRevokePermission,
} from '@tracegate/plugin-tracing-common';
import { DEFAULT_ADMIN_GROUP, readAdminGroup } from '../service/config';
import {
  createTracingRequestConditionalDecision,
  tracingRequestConditions,
} from './rules';

/**
 * Who is asking: the user's entity ref and ownership claims, as
 * `PolicyQueryUser.info` and the `userInfo` service both give them.
 *
 * @public
 */
export type TracingPolicyUser = {
  userEntityRef: string;
  ownershipEntityRefs: string[];
};

const ALLOW = { result: AuthorizeResult.ALLOW } as const;
const DENY = { result: AuthorizeResult.DENY } as const;

/**
 * Tracegate's default rules for one of its permissions, or `undefined` for a
 * permission of another plugin, so an adopter's own policy can start with
 * `tracingPolicyDecision(...) ?? ...`:
 * - read: any signed-in user;
 * - create: owners of the entity;
 * - cancel: the requester (the backend allows it only while pending);
 * - approve/reject and target any workload: members of `adminGroup` (never
 *   their own request unless `tracing.allowSelfApproval`; the backend
 *   enforces that);
 * - revoke: owners of the entity and members of `adminGroup`.
 *
 * The plugin applies the same rules itself when the permission framework is
 * off.
 *
 * @public
 */
export function tracingPolicyDecision(
  permission: Permission,
  user: TracingPolicyUser | undefined,
  adminGroup: string = DEFAULT_ADMIN_GROUP,
): PolicyDecision | undefined {
  if (!permission.name.startsWith('tracing.')) return undefined;
  if (!user) return DENY;
  const claims = user.ownershipEntityRefs;
  const isAdmin = claims.includes(adminGroup);
  if (
    permission.name === tracingRequestApprovePermission.name ||
    permission.name === tracingRequestAnyTargetPermission.name
  ) {
    return isAdmin ? ALLOW : DENY;
  }
  if (!isResourcePermission(permission, TRACING_REQUEST_RESOURCE_TYPE)) {
    return DENY;
  }
  switch (permission.name) {
    case tracingRequestReadPermission.name:
      return ALLOW;
    case tracingRequestCreatePermission.name:
      return createTracingRequestConditionalDecision(
        permission,
        tracingRequestConditions.isEntityOwner({ claims }),
      );
    case tracingRequestCancelPermission.name:
      return createTracingRequestConditionalDecision(
        permission,
        tracingRequestConditions.isRequester({
          claims: [user.userEntityRef],
        }),
      );
    case tracingRequestRevokePermission.name:
      return isAdmin
        ? ALLOW
        : createTracingRequestConditionalDecision(
            permission,
            tracingRequestConditions.isEntityOwner({ claims }),
          );
    default:
      return DENY;
  }
}

/**
 * A permission policy with Tracegate's default rules
 * ({@link tracingPolicyDecision}). Permissions of other plugins go to
 * `otherPermissions`, by default allowed, as Backstage's stock allow-all
 * policy does.
 *
 * @public
 */
export class TracingPermissionPolicy implements PermissionPolicy {
  private readonly adminGroup: string;
  private readonly otherPermissions?: PermissionPolicy;

  constructor(
    options: { adminGroup?: string; otherPermissions?: PermissionPolicy } = {},
  ) {
    this.adminGroup = options.adminGroup ?? DEFAULT_ADMIN_GROUP;
    this.otherPermissions = options.otherPermissions;
  }

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const decision = tracingPolicyDecision(
      request.permission,
      user?.info && {
        userEntityRef: user.info.userEntityRef,
        ownershipEntityRefs: user.info.ownershipEntityRefs ?? [],
      },
      this.adminGroup,
    );
    if (decision) return decision;
    return this.otherPermissions
      ? this.otherPermissions.handle(request, user)
      : ALLOW;
  }
}

/**
 * Installs {@link TracingPermissionPolicy} as the backend's permission
 * policy, with `tracing.adminGroup` as the admin group. For a backend with a
 * policy of its own, use `tracingPolicyDecision` or `TracingPermissionPolicy`'s
 * `otherPermissions` in that policy instead.
 *
 * @public
 */
export const tracingPermissionPolicyModule = createBackendModule({
  pluginId: 'permission',
  moduleId: 'tracing-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        policy: policyExtensionPoint,
        config: coreServices.rootConfig,
      },
      async init({ policy, config }) {
        policy.setPolicy(
          new TracingPermissionPolicy({ adminGroup: readAdminGroup(config) }),
        );
      },
    });
  },
});
