/**
 * Who may do what to tracing requests: the permission policy's answer, and,
 * with Backstage's permission framework off (which allows everything), the
 * plugin's own default rules, so that an approval step is never open to all.
 */
import {
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  isResourcePermission,
  Permission,
  PermissionCriteria,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  createConditionAuthorizer,
  createConditionTransformer,
  ConditionTransformer,
  PermissionRuleset,
} from '@backstage/plugin-permission-node';
import {
  TracingRequest,
  tracingRequestReadPermission,
} from '@tracegate/plugin-tracing-common';
import { TracingRequestFilter } from '../database/TracingRequestStore';
import { tracingPolicyDecision } from '../permissions/policy';
import { Caller } from './Caller';

/** @internal */
export class RequestAuthorizer {
  private readonly authorizeConditions: (
    decision: PolicyDecision,
    resource: TracingRequest | undefined,
  ) => boolean;
  private readonly toFilter: ConditionTransformer<TracingRequestFilter>;

  constructor(
    private readonly options: {
      permissions: PermissionsService;
      ruleset: PermissionRuleset<TracingRequest, TracingRequestFilter>;
      /** `tracing.adminGroup`: who approves under the default rules. */
      adminGroup: string;
      /**
       * Whether Backstage's permission framework is on (`permission.enabled`).
       * When it is off, the default rules apply, with `userInfo`.
       */
      permissionsEnabled?: boolean;
      userInfo?: UserInfoService;
    },
  ) {
    this.authorizeConditions = createConditionAuthorizer(options.ruleset);
    this.toFilter = createConditionTransformer(options.ruleset);
  }

  /**
   * Whether the caller holds the permission (for a resource permission, on
   * `request`): the policy's answer and, when the permission framework is
   * off, the plugin's own rules.
   */
  async allows(
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

  /** A 403 naming the action unless the caller holds the permission. */
  async authorize(
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
   * The conditions on what the caller may read, for the store's query
   * (undefined: everything), or a 403.
   */
  async readFilter(
    caller: Caller,
  ): Promise<PermissionCriteria<TracingRequestFilter> | undefined> {
    const [decision] = await this.options.permissions.authorizeConditional(
      [{ permission: tracingRequestReadPermission }],
      { credentials: caller.credentials },
    );
    if (decision.result === AuthorizeResult.DENY) {
      throw new NotAllowedError('You may not read tracing requests');
    }
    return decision.result === AuthorizeResult.CONDITIONAL
      ? this.toFilter(decision.conditions)
      : undefined;
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
    if (!this.options.userInfo) {
      throw new Error(
        'The permission framework is off and no userInfo service was given: cannot apply the default rules',
      );
    }
    const decision = tracingPolicyDecision(
      permission,
      await this.options.userInfo.getUserInfo(caller.credentials),
      this.options.adminGroup,
    );
    return !decision || this.authorizeConditions(decision, request);
  }
}
