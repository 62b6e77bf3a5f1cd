import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  tracingRequestAnyTargetPermission,
  tracingRequestApprovePermission,
  tracingRequestCancelPermission,
  tracingRequestCreatePermission,
  tracingRequestReadPermission,
  tracingRequestRevokePermission,
} from '@tracegate/plugin-tracing-common';
import { TracegatePermissionPolicy } from './permissionPolicy';

const policy = new TracegatePermissionPolicy();

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

describe('TracegatePermissionPolicy', () => {
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
    const custom = new TracegatePermissionPolicy('group:default/sre');
    expect(
      (
        await custom.handle(
          { permission: tracingRequestApprovePermission },
          ada,
        )
      ).result,
    ).toBe(AuthorizeResult.DENY);
  });
});
