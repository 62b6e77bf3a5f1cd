import { identityApiRef } from '@backstage/frontend-plugin-api';
import { mockApis } from '@backstage/frontend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { RecentTraces, TracingRequest } from '@tracegate/plugin-tracing-common';
import { ReactNode } from 'react';
import { SWRConfig } from 'swr';
import { TracingApi, tracingApiRef } from '../api';
import { rootRouteRef } from '../routes';

/** The demo's checkout Component in the catalog: team-shop's, in shop. */
export const CHECKOUT_ENTITY = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'checkout',
    namespace: 'default',
    annotations: {
      'backstage.io/kubernetes-id': 'checkout',
      'backstage.io/kubernetes-namespace': 'shop',
    },
  },
  spec: { type: 'service', owner: 'team-shop' },
  relations: [{ type: 'ownedBy', targetRef: 'group:default/team-shop' }],
};

export function fakeTracingApi(
  change: Partial<TracingApi> = {},
): jest.Mocked<TracingApi> {
  return {
    getHealth: jest.fn(async () => ({ status: 'ok' as const })),
    // The permission API mock decides in these tests.
    getCapabilities: jest.fn(async () => ({
      approve: true,
      maxDurationMs: 30 * 86_400_000,
    })),
    getEntityCapabilities: jest.fn(async () => ({ request: true })),
    listClusters: jest.fn(async () => [
      {
        name: 'local',
        reachable: true,
        version: 'v1.35.4',
        beylaDialect: 'instrument' as const,
      },
    ]),
    listRequests: jest.fn(async () => ({ items: [] })),
    getRequest: jest.fn(async (id: string) => ({
      ...aRequest({ id }),
      history: [],
    })),
    createRequest: jest.fn(),
    previewRequest: jest.fn(),
    getRequestPreview: jest.fn(async () => ({ objects: [], diff: '' })),
    decide: jest.fn(),
    getEntityStatus: jest.fn(async () => ({ requests: [], objects: [] })),
    listEntityWorkloads: jest.fn(async (_ref, cluster, method) => ({
      cluster,
      method,
      selector: 'backstage.io/kubernetes-id=checkout in any namespace',
      items:
        method === 'ebpf'
          ? [
              {
                kind: 'Deployment' as const,
                namespace: 'shop',
                name: 'checkout',
              },
            ]
          : [],
    })),
    extendRequest: jest.fn(),
    getRecentTraces: jest.fn(async (id: string) =>
      recentTraces({ requestId: id }),
    ),
    ...change,
  } as jest.Mocked<TracingApi>;
}

/** An answer of GET /requests/:id/traces for checkout's Deployment in shop. */
export function recentTraces(change: Partial<RecentTraces> = {}): RecentTraces {
  return {
    requestId: 'a',
    cluster: 'local',
    store: 'jaeger',
    lookup: {
      resource: [
        { attribute: 'k8s.namespace.name', value: 'shop' },
        { attribute: 'k8s.deployment.name', value: 'checkout' },
      ],
      serviceNames: ['checkout'],
      traceQL:
        '{ resource.k8s.namespace.name = "shop" && resource.k8s.deployment.name = "checkout" }',
    },
    from: new Date(Date.now() - 3_600_000).toISOString(),
    to: new Date().toISOString(),
    items: [],
    ...change,
  };
}

export function aRequest(change: Partial<TracingRequest> = {}): TracingRequest {
  return {
    id: 'r1',
    entityRef: 'component:default/checkout',
    entityOwner: 'group:default/team-shop',
    cluster: 'local',
    namespace: 'shop',
    workload: { kind: 'Deployment', name: 'checkout' },
    method: 'ebpf',
    sampling: { sampler: 'parentbased_traceidratio', ratio: 0.25 },
    expiresAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
    reason: 'latency',
    status: 'pending',
    requestedBy: 'user:default/guest',
    createdAt: '2026-11-25T10:00:00.000Z',
    updatedAt: '2026-11-25T10:00:00.000Z',
    ...change,
  };
}

/** The API pairs a Tracegate surface needs, for renderInTestApp. */
export function testApis(
  tracingApi: TracingApi,
  options: { allow?: boolean; extra?: Array<readonly [any, any]> } = {},
): Array<readonly [any, any]> {
  return [
    [tracingApiRef, tracingApi],
    [
      permissionApiRef,
      mockApis.permission({
        authorize: options.allow ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
      }),
    ],
    [
      identityApiRef,
      mockApis.identity({
        userEntityRef: 'user:default/guest',
        ownershipEntityRefs: ['user:default/guest', 'group:default/team-shop'],
      }),
    ],
    ...(options.extra ?? []),
  ];
}

/**
 * usePermission caches answers (SWR) across renders by permission: give each
 * test its own cache so one test's DENY is not the next one's answer.
 */
export const FreshPermissionCache = ({ children }: { children: ReactNode }) => (
  <SWRConfig value={{ provider: () => new Map() }}>{children}</SWRConfig>
);

/** Routes the surfaces link to, for renderInTestApp's `mountedRoutes`. */
export const testMountedRoutes = {
  '/catalog/:namespace/:kind/:name': entityRouteRef,
  // Mounted elsewhere than the default /tracing: links follow the mount.
  '/observability/tracing': rootRouteRef,
};
