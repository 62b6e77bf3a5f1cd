import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  tracingRequestAnyTargetPermission,
  tracingRequestApprovePermission,
  tracingRequestCancelPermission,
  tracingRequestCreatePermission,
  tracingRequestReadPermission,
  tracingRequestRevokePermission,
} from '@tracegate/plugin-tracing-common';
import { PermissionPolicy } from '@backstage/plugin-permission-node';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { createBackendPlugin } from '@backstage/backend-plugin-api';
import {
  TracingPermissionPolicy,
  tracingPermissionPolicyModule,
  tracingPolicyDecision,
} from './policy';

const policy = new TracingPermissionPolicy();

function user(ref: string, groups: string[]) {
  return {
    identity: {
      type: 'user' as const,
      userEntityRef: ref,
      ownershipEntityRefs: [ref, ...groups],
    },
    info: { userEntityRef: ref, ownershipEntityRefs: [ref, ...groups] },
    token: 'token',
    credentials: {} as never,
  };
}

const guest = user('user:default/guest', ['group:default/team-shop']);
const ada = user('user:default/ada', ['group:default/platform-admins']);

describe('TracingPermissionPolicy', () => {
  it('lets any signed-in user read', async () => {
    expect(
      await policy.handle({ permission: tracingRequestReadPermission }, guest),
    ).toEqual({
      result: AuthorizeResult.ALLOW,
    });
  });

  it('lets owners create, with the caller ownership as claims', async () => {
    expect(
      await policy.handle(
        { permission: tracingRequestCreatePermission },
        guest,
      ),
    ).toEqual({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'tracing',
      resourceType: 'tracing-request',
      conditions: {
        rule: 'IS_ENTITY_OWNER',
        resourceType: 'tracing-request',
        params: { claims: ['user:default/guest', 'group:default/team-shop'] },
      },
    });
  });

  it('lets only the requester cancel', async () => {
    const decision = await policy.handle(
      { permission: tracingRequestCancelPermission },
      guest,
    );
    expect(decision).toMatchObject({
      result: AuthorizeResult.CONDITIONAL,
      conditions: {
        rule: 'IS_REQUESTER',
        params: { claims: ['user:default/guest'] },
      },
    });
  });

  it('lets admins approve, not owners', async () => {
    expect(
      (
        await policy.handle(
          { permission: tracingRequestApprovePermission },
          ada,
        )
      ).result,
    ).toBe(AuthorizeResult.ALLOW);
    expect(
      (
        await policy.handle(
          { permission: tracingRequestApprovePermission },
          guest,
        )
      ).result,
    ).toBe(AuthorizeResult.DENY);
  });

  it('lets admins, not owners, target any workload', async () => {
    expect(
      (
        await policy.handle(
          { permission: tracingRequestAnyTargetPermission },
          ada,
        )
      ).result,
    ).toBe(AuthorizeResult.ALLOW);
    expect(
      (
        await policy.handle(
          { permission: tracingRequestAnyTargetPermission },
          guest,
        )
      ).result,
    ).toBe(AuthorizeResult.DENY);
  });

  it('lets admins revoke anything and owners their own', async () => {
    expect(
      (await policy.handle({ permission: tracingRequestRevokePermission }, ada))
        .result,
    ).toBe(AuthorizeResult.ALLOW);
    expect(
      await policy.handle(
        { permission: tracingRequestRevokePermission },
        guest,
      ),
    ).toMatchObject({
      result: AuthorizeResult.CONDITIONAL,
      conditions: { rule: 'IS_ENTITY_OWNER' },
    });
  });

  it('denies tracing permissions without a user and allows other plugins', async () => {
    expect(
      (await policy.handle({ permission: tracingRequestReadPermission }))
        .result,
    ).toBe(AuthorizeResult.DENY);
    expect(
      (
        await policy.handle(
          {
            permission: {
              type: 'basic',
              name: 'catalog.entity.create',
              attributes: {},
            },
          },
          guest,
        )
      ).result,
    ).toBe(AuthorizeResult.ALLOW);
  });

  it('reads the admin group it is given', async () => {
    const custom = new TracingPermissionPolicy({
      adminGroup: 'group:default/sre',
    });
    expect(
      (
        await custom.handle(
          { permission: tracingRequestApprovePermission },
          ada,
        )
      ).result,
    ).toBe(AuthorizeResult.DENY);
  });

  it("hands other plugins' permissions to the adopter's own policy", async () => {
    const catalogCreate = {
      type: 'basic' as const,
      name: 'catalog.entity.create',
      attributes: {},
    };
    const own: PermissionPolicy = {
      handle: async () => ({ result: AuthorizeResult.DENY }),
    };
    const composed = new TracingPermissionPolicy({ otherPermissions: own });
    expect(
      (await composed.handle({ permission: catalogCreate }, ada)).result,
    ).toBe(AuthorizeResult.DENY);
    expect(
      (
        await composed.handle(
          { permission: tracingRequestApprovePermission },
          ada,
        )
      ).result,
    ).toBe(AuthorizeResult.ALLOW);
    // Or the other way round: the adopter's policy asks Tracegate first.
    expect(tracingPolicyDecision(catalogCreate, ada.info)).toBeUndefined();
    expect(
      tracingPolicyDecision(tracingRequestApprovePermission, guest.info),
    ).toEqual({ result: AuthorizeResult.DENY });
  });
});

describe('tracingPermissionPolicyModule', () => {
  it('installs the policy with tracing.adminGroup from the config', async () => {
    let installed: PermissionPolicy | undefined;
    // Stands in for the permission backend: it only receives the policy.
    const permissionStandIn = createBackendPlugin({
      pluginId: 'permission',
      register(reg) {
        reg.registerExtensionPoint(policyExtensionPoint, {
          setPolicy(p) {
            installed = p;
          },
        });
        reg.registerInit({ deps: {}, async init() {} });
      },
    });
    await startTestBackend({
      features: [
        permissionStandIn,
        tracingPermissionPolicyModule,
        mockServices.rootConfig.factory({
          data: { tracing: { adminGroup: 'group:default/sre' } },
        }),
      ],
    });
    const sre = user('user:default/sam', ['group:default/sre']);
    expect(
      (
        await installed!.handle(
          { permission: tracingRequestApprovePermission },
          sre,
        )
      ).result,
    ).toBe(AuthorizeResult.ALLOW);
    expect(
      (
        await installed!.handle(
          { permission: tracingRequestApprovePermission },
          ada,
        )
      ).result,
    ).toBe(AuthorizeResult.DENY);
  });
});
