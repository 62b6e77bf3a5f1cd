import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  isResourcePermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  createTracingRequestConditionalDecision,
  tracingRequestConditions,
} from '@tracegate/plugin-tracing-backend';
import {
  TRACING_REQUEST_RESOURCE_TYPE,
  tracingRequestAnyTargetPermission,
  tracingRequestApprovePermission,
  tracingRequestCancelPermission,
  tracingRequestCreatePermission,
  tracingRequestReadPermission,
  tracingRequestRevokePermission,
} from '@tracegate/plugin-tracing-common';

const DEFAULT_ADMIN_GROUP = 'group:default/platform-admins';

/**
 * Tracegate's default policy:
 * - read: any signed-in user;
 * - create: owners of the entity;
 * - cancel: the requester (the backend allows it only while pending);
 * - approve/reject: members of the admin group (never their own request,
 *   unless tracing.allowSelfApproval; the backend enforces that);
 * - revoke: owners of the entity and admins.
 * Permissions of other plugins are allowed, as the stock allow-all policy did.
 */
export class TracegatePermissionPolicy implements PermissionPolicy {
  constructor(private readonly adminGroup: string = DEFAULT_ADMIN_GROUP) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const { permission } = request;
    if (!permission.name.startsWith('tracing.')) {
      return { result: AuthorizeResult.ALLOW };
    }
    const allow = { result: AuthorizeResult.ALLOW } as const;
    const deny = { result: AuthorizeResult.DENY } as const;
    if (!user) return deny;
    const claims = user.info.ownershipEntityRefs ?? [];
    const isAdmin = claims.includes(this.adminGroup);
    if (
      permission.name === tracingRequestApprovePermission.name ||
      permission.name === tracingRequestAnyTargetPermission.name
    ) {
      return isAdmin ? allow : deny;
    }
    if (!isResourcePermission(permission, TRACING_REQUEST_RESOURCE_TYPE)) {
      return deny;
    }

    switch (permission.name) {
      case tracingRequestReadPermission.name:
        return allow;
      case tracingRequestCreatePermission.name:
        return createTracingRequestConditionalDecision(
          permission,
          tracingRequestConditions.isEntityOwner({ claims }),
        );
      case tracingRequestCancelPermission.name:
        return createTracingRequestConditionalDecision(
          permission,
          tracingRequestConditions.isRequester({
            claims: [user.info.userEntityRef],
          }),
        );
      case tracingRequestRevokePermission.name:
        return isAdmin
          ? allow
          : createTracingRequestConditionalDecision(
              permission,
              tracingRequestConditions.isEntityOwner({ claims }),
            );
      default:
        return deny;
    }
  }
}

/** Installs {@link TracegatePermissionPolicy} as the backend's policy. */
export const tracegatePermissionPolicyModule = createBackendModule({
  pluginId: 'permission',
  moduleId: 'tracegate-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        policy: policyExtensionPoint,
        config: coreServices.rootConfig,
      },
      async init({ policy, config }) {
        policy.setPolicy(
          new TracegatePermissionPolicy(
            config.getOptionalString('tracing.adminGroup') ??
              DEFAULT_ADMIN_GROUP,
          ),
        );
      },
    });
  },
});
