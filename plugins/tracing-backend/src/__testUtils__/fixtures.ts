import { createServiceFactory } from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import { ClusterSettings, readClusterSettings } from '../clusters/config';
import { coreServices } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import {
  AuthorizeResult,
  Permission,
  PolicyDecision,
  QueryPermissionRequest,
} from '@backstage/plugin-permission-common';
import { PermissionRuleset } from '@backstage/plugin-permission-node';
import { JsonObject } from '@backstage/types';
import {
  TracingRequest,
  TracingRequestInput,
} from '@tracegate/plugin-tracing-common';
import { tracingRequestRules } from '../permissions/rules';
import {
  NewTracingRequest,
  TracingRequestFilter,
} from '../database/TracingRequestStore';
import { readTracingConfig, TracingConfig } from '../service/config';
import { tracingPolicyDecision } from '../permissions/policy';

/** Test users and the ownership refs their sign-in would carry. */
export const USERS = {
  guest: ['user:default/guest', 'group:default/team-shop'],
  alice: ['user:default/alice', 'group:default/team-shop'],
  bob: ['user:default/bob', 'group:default/team-data'],
  ada: ['user:default/ada', 'group:default/platform-admins'],
  // Signed in, in no group: owns nothing.
  nobody: ['user:default/nobody'],
  // An admin who also owns team-shop's services: tests self-approval.
  root: [
    'user:default/root',
    'group:default/platform-admins',
    'group:default/team-shop',
  ],
} as const;

export type TestUser = keyof typeof USERS;

export const userRef = (user: TestUser) => USERS[user][0];

export const CATALOG: Entity[] = [
  service('checkout', 'team-shop'),
  service('cart', 'team-shop'),
  service('forecast', 'team-data'),
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'shop-web', namespace: 'default' },
    spec: { type: 'website', owner: 'team-shop', lifecycle: 'production' },
  },
];

/**
 * The groups and users of USERS as the catalog holds them (with the
 * relations the catalog computes), for whoever resolves group members:
 * the notifications backend.
 */
export const ORG: Entity[] = [
  ...Object.keys(USERS).map(user => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name: user, namespace: 'default' },
    spec: {},
  })),
  ...['team-shop', 'team-data', 'platform-admins'].map(group => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: group, namespace: 'default' },
    spec: { type: 'team', children: [] },
    relations: Object.values(USERS)
      .filter(claims =>
        (claims as readonly string[]).includes(`group:default/${group}`),
      )
      .map(claims => ({ type: 'hasMember', targetRef: claims[0] })),
  })),
];

function service(name: string, owner: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: { 'backstage.io/kubernetes-id': name },
    },
    spec: { type: 'service', owner, lifecycle: 'production' },
  };
}

/**
 * A permissions service that evaluates the plugin's own policy
 * ({@link tracingPolicyDecision}, what `tracingPermissionPolicyModule`
 * installs) in process, as the permission backend would over HTTP.
 */
function decide(
  permission: Permission,
  credentials: { principal: unknown },
): PolicyDecision {
  const principal = credentials.principal as { userEntityRef?: string };
  const entry = Object.values(USERS).find(
    refs => refs[0] === principal.userEntityRef,
  );
  return (
    tracingPolicyDecision(
      permission,
      entry && { userEntityRef: entry[0], ownershipEntityRefs: [...entry] },
    ) ?? { result: AuthorizeResult.ALLOW }
  );
}

/** Who the USERS are and what they own, as the auth backend would say. */
export const testUserInfoFactory = createServiceFactory({
  service: coreServices.userInfo,
  deps: {},
  factory: () => ({
    async getUserInfo(credentials: { principal: unknown }) {
      const principal = credentials.principal as { userEntityRef: string };
      const entry = Object.values(USERS).find(
        refs => refs[0] === principal.userEntityRef,
      );
      return {
        userEntityRef: principal.userEntityRef,
        ownershipEntityRefs: entry ? [...entry] : [principal.userEntityRef],
      };
    },
  }),
});

export const testPermissionsFactory = createServiceFactory({
  service: coreServices.permissions,
  deps: {},
  factory: () => ({
    // Basic permissions: the policy answers ALLOW or DENY.
    async authorize(
      requests: Array<{ permission: Permission }>,
      options: { credentials: { principal: unknown } },
    ) {
      return requests.map(
        ({ permission }) =>
          decide(permission, options.credentials) as {
            result: AuthorizeResult.ALLOW | AuthorizeResult.DENY;
          },
      );
    },
    async authorizeConditional(
      requests: QueryPermissionRequest[],
      options: { credentials: { principal: unknown } },
    ) {
      return requests.map(({ permission }) =>
        decide(permission, options.credentials),
      );
    },
  }),
});

const DAY = 86_400_000;

/**
 * A `tracing.clusters` entry nothing listens on (port 9): for the request
 * lifecycle without a cluster, and for an unreachable one.
 */
export function unreachableCluster(
  name = 'local',
  serviceAccountToken = 'unused',
) {
  return { name, url: 'https://127.0.0.1:9', serviceAccountToken };
}

/** A valid body for POST /requests. */
export function requestInput(
  change: Partial<TracingRequestInput> = {},
): TracingRequestInput {
  return {
    entityRef: 'component:default/checkout',
    cluster: 'local',
    namespace: 'shop',
    workload: { kind: 'Deployment', name: 'checkout' },
    openPorts: '8080',
    method: 'ebpf',
    sampling: { sampler: 'parentbased_traceidratio', ratio: 0.5 },
    expiresAt: new Date(Date.now() + 7 * DAY).toISOString(),
    reason: 'Checkout latency spikes',
    ...change,
  };
}

/** A request as filed for checkout's Deployment, eBPF, before its id and state. */
export const NEW_REQUEST: NewTracingRequest = {
  entityRef: 'component:default/checkout',
  entityOwner: 'group:default/team-shop',
  cluster: 'local',
  namespace: 'shop',
  workload: { kind: 'Deployment', name: 'checkout' },
  method: 'ebpf',
  sampling: { sampler: 'parentbased_traceidratio', ratio: 0.5 },
  expiresAt: '2099-01-01T00:00:00.000Z',
  reason: 'test',
  requestedBy: 'user:default/guest',
};

/** A stored request (pure tests: renderers, plans, status). */
export function tracingRequest(
  id: string,
  change: Partial<TracingRequest> = {},
): TracingRequest {
  return {
    ...NEW_REQUEST,
    id,
    status: 'approved',
    createdAt: '2026-11-25T00:00:00.000Z',
    updatedAt: '2026-11-25T00:00:00.000Z',
    ...change,
  };
}

/** One cluster's settings, read from app-config as the backend reads them. */
export function testClusterSettings(
  cluster: Record<string, unknown> = {},
): ClusterSettings {
  return readClusterSettings(
    new ConfigReader({
      tracing: {
        clusters: [
          {
            name: 'local',
            url: 'https://127.0.0.1:9',
            serviceAccountToken: 'unused',
            tempo: {
              otlpEndpoint: 'tempo-distributor.tempo.svc:4317',
              datasourceUid: 'tempo',
            },
            ...cluster,
          },
        ],
      },
    }),
  )[0];
}

/** The `tracing` config as the backend reads it, with the test cluster. */
export function testTracingConfig(tracing: JsonObject = {}): TracingConfig {
  return readTracingConfig(new ConfigReader({ tracing }), [
    testClusterSettings(),
  ]);
}

/** The plugin's permission rules by name, as the permissions registry has them. */
export const testRuleset = {
  getRuleByName: (name: string) =>
    Object.values(tracingRequestRules).find(rule => rule.name === name)!,
} as unknown as PermissionRuleset<TracingRequest, TracingRequestFilter>;
