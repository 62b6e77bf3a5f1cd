import { JsonObject } from '@backstage/types';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ScmIntegrationRegistry } from '@backstage/integration';
import {
  CRASHLOOP_STAGE,
  createTracegateServiceAccount,
  LocalControlPlane,
  seedPlatform,
  startControlPlane,
} from '@internal/local-kube';
import { TracingRequest } from '@tracegate/plugin-tracing-common';
import { ClusterRegistry } from '../clusters/ClusterRegistry';
import { ClusterSettings } from '../clusters/config';
import { KubeApi } from '../clusters/KubeApi';
import { DatabaseClusterStore } from '../database/DatabaseClusterStore';
import { DatabaseTracingRequestStore } from '../database/DatabaseTracingRequestStore';
import { NewTracingRequest } from '../database/TracingRequestStore';
import { RequestTransitions } from '../lifecycle/RequestTransitions';
import { Reconciler } from '../reconcile/Reconciler';
import { NEW_REQUEST, testClusterSettings } from './fixtures';
import { configMapOfBeylaPod } from '../render';
import { parse } from 'yaml';

/** A seeded local control plane and Tracegate's ServiceAccount token on it. */
export async function startSeededCluster(
  options: { podsPerNode?: number; kwokStages?: string } = {},
): Promise<{
  cluster: LocalControlPlane;
  token: string;
}> {
  // Three fake nodes, so that Beyla's DaemonSet rolls out as on a real
  // cluster; pods of CRASHLOOP_BEYLA_IMAGE never become ready.
  const cluster = await startControlPlane({
    nodes: 3,
    kwokStages: [CRASHLOOP_STAGE, options.kwokStages]
      .filter(Boolean)
      .join('\n---\n'),
    podsPerNode: options.podsPerNode,
  });
  await seedPlatform(cluster);
  const token = await createTracegateServiceAccount(cluster);
  return { cluster, token };
}

/** What {@link useSeededCluster} gives a test file once its beforeAll ran. */
export interface SeededCluster {
  cluster: LocalControlPlane;
  /** Tracegate's ServiceAccount token (the shipped RBAC). */
  token: string;
  /** The cluster's admin, for setting up and reading back. */
  admin: KubeApi;
}

/**
 * Starts one seeded local control plane for the calling test file (its
 * beforeAll) and stops it, folder and all, after the file (its afterAll).
 * Read the fields inside tests and hooks, not at module level.
 */
export function useSeededCluster(
  options: Parameters<typeof startSeededCluster>[0] & {
    /** Extra set-up on the started cluster (still inside beforeAll). */
    seed?: (seeded: SeededCluster) => Promise<void>;
    timeoutMs?: number;
  } = {},
): SeededCluster {
  const seeded = {} as SeededCluster;
  beforeAll(async () => {
    const { cluster, token } = await startSeededCluster(options);
    Object.assign(seeded, { cluster, token, admin: adminApi(cluster) });
    await options.seed?.(seeded);
  }, options.timeoutMs ?? 300_000);
  afterAll(async () => {
    seeded.admin?.close();
    await seeded.cluster?.stop();
  });
  return seeded;
}

/** The `tracing.clusters` entry of the local cluster, as app-config has it. */
export function localClusterConfig(
  cluster: LocalControlPlane,
  options: {
    url?: string;
    token: string;
    name?: string;
    config?: JsonObject;
  },
): JsonObject {
  return {
    name: options.name ?? 'local',
    url: options.url ?? cluster.url,
    serviceAccountToken: options.token,
    caData: Buffer.from(cluster.caData).toString('base64'),
    ...options.config,
  };
}

/** The cluster's admin (system:masters), for setting up and reading back. */
export function adminApi(cluster: LocalControlPlane): KubeApi {
  return KubeApi.fromSettings(
    localClusterSettings(cluster, { token: cluster.adminToken }),
  );
}

/**
 * A store on a fresh SQLite database and a reconciler for one cluster, whose
 * passes the test drives itself (no retry timers).
 */
export async function storeAndReconciler(
  databases: TestDatabases,
  cluster: ClusterSettings,
  /** `integrations` of app-config (git delivery's credentials). */
  integrations?: ScmIntegrationRegistry,
) {
  const requests = await storeWithRequests(databases);
  const clusters = new ClusterRegistry([cluster], undefined, integrations);
  const logger = mockServices.logger.mock();
  const auditor = mockServices.auditor.mock();
  const reconciler = new Reconciler({
    store: requests.store,
    clusterStore: requests.clusterStore,
    clusters,
    transitions: new RequestTransitions({
      store: requests.store,
      auditor,
      logger,
    }),
    logger,
    retryBaseMs: 3_600_000, // tests drive every pass themselves
  });
  return { ...requests, clusters, reconciler, auditor };
}

/** Settings of the local cluster as the backend reads them from that entry. */
export function localClusterSettings(
  cluster: LocalControlPlane,
  options: Parameters<typeof localClusterConfig>[1],
): ClusterSettings {
  return testClusterSettings(localClusterConfig(cluster, options));
}

/** A store on a fresh SQLite database, and helpers to file requests in it. */
export async function storeWithRequests(databases: TestDatabases) {
  const knex = await databases.init('SQLITE_3');
  const store = await DatabaseTracingRequestStore.create({
    database: mockServices.database({ knex }),
  });
  const clusterStore = await DatabaseClusterStore.create({
    database: mockServices.database({ knex }),
  });
  let n = 0;
  /** Files a request and approves it (the store only, no reconcile). */
  async function approve(
    change: Partial<NewTracingRequest> = {},
  ): Promise<TracingRequest> {
    const at = new Date(Date.UTC(2026, 10, 25, 12, n++)).toISOString();
    const created = await store.create(
      { ...NEW_REQUEST, ...change },
      { actor: 'u', at },
    );
    return (await store.transition({
      id: created.id,
      from: 'pending',
      to: 'approved',
      actor: 'a',
      at,
      recordDecision: true,
    }))!;
  }
  /** Ends a live request (revoke or expire), the store only. */
  async function end(
    request: TracingRequest,
    to: 'revoked' | 'expired' = 'revoked',
  ) {
    const current = (await store.get(request.id))!;
    await store.transition({
      id: request.id,
      from: current.status,
      to,
      actor: 'a',
      at: new Date().toISOString(),
    });
  }
  return { store, clusterStore, approve, end };
}

/** Waits until the namespace is gone (deletion finishes asynchronously). */
export async function waitForNamespaceGone(api: KubeApi, name: string) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (
      !(await api.get({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name },
      }))
    )
      return;
    await new Promise(r => setTimeout(r, 250));
  }
  throw new Error(`namespace ${name} still there`);
}

/**
 * Asserts that Tracegate's Beyla objects are gone from `namespace` and that
 * the namespace, when Tracegate did not create it, is still there without
 * Tracegate's labels.
 */
export async function expectBeylaRemoved(api: KubeApi, namespace = 'beyla') {
  for (const [apiVersion, kind, name] of [
    ['apps/v1', 'DaemonSet', 'beyla'],
    ['v1', 'ServiceAccount', 'beyla'],
  ]) {
    if (await api.get({ apiVersion, kind, metadata: { name, namespace } }))
      throw new Error(`${kind} ${namespace}/${name} still there`);
  }
  const configs = await api.list(
    { apiVersion: 'v1', kind: 'ConfigMap' },
    'tracegate.io/beyla-config=true',
    namespace,
  );
  if (configs.length) {
    throw new Error(
      `Beyla configs still there: ${configs
        .map(c => c.metadata.name)
        .join(', ')}`,
    );
  }
  const ns = await api.get({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: namespace },
  });
  if (ns && ns.metadata.labels?.['app.kubernetes.io/managed-by'])
    throw new Error(`namespace ${namespace} still carries Tracegate's label`);
}

/**
 * Reconciles until the request reaches `status` (a rollout takes passes),
 * and returns it; fails after 30 s naming the state it was stuck in.
 */
export async function reconcileUntil(
  reconciler: { reconcile(cluster: string): Promise<unknown> },
  store: { get(id: string): Promise<TracingRequest | undefined> },
  id: string,
  status: TracingRequest['status'],
): Promise<TracingRequest> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    await reconciler.reconcile('local');
    const request = (await store.get(id))!;
    if (request.status === status) return request;
    if (Date.now() > deadline) {
      throw new Error(
        `request stayed ${request.status} (${JSON.stringify(
          request.lastApply,
        )}), expected ${status}`,
      );
    }
    await new Promise(r => setTimeout(r, 200));
  }
}

/** A hand edit of a field Tracegate owns: Beyla's DaemonSet loses hostPID. */
export async function handEditBeylaDaemonSet(api: KubeApi) {
  await (api as any).request(
    'PATCH',
    '/apis/apps/v1/namespaces/beyla/daemonsets/beyla',
    {
      body: JSON.stringify({
        spec: { template: { spec: { hostPID: false } } },
      }),
      contentType: 'application/merge-patch+json',
    },
  );
}

/**
 * Beyla's current config as the cluster holds it: the ConfigMap its
 * DaemonSet names, and the config parsed; undefined without a DaemonSet.
 */
export async function liveBeylaConfig(api: KubeApi, namespace = 'beyla') {
  const daemonSet = await api.get({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'beyla', namespace },
  });
  if (!daemonSet) return undefined;
  const name = configMapOfBeylaPod((daemonSet.spec as any).template);
  const configMap = name
    ? await api.get({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name, namespace },
      })
    : undefined;
  const text = (configMap?.data as Record<string, string> | undefined)?.[
    'beyla-config.yml'
  ];
  return {
    name: name ?? '',
    configMap,
    text,
    config: text === undefined ? undefined : parse(text),
  };
}
