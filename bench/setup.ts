import { mockServices } from '@backstage/backend-test-utils';
import {
  createTracegateServiceAccount,
  LocalControlPlane,
  seedPlatform,
  startControlPlane,
} from '@internal/local-kube';
import Knex from 'knex';
import { ClusterRegistry } from '../plugins/tracing-backend/src/clusters/ClusterRegistry';
import {
  ClusterSettings,
  DEFAULT_DATASOURCE_NAMESPACE,
} from '../plugins/tracing-backend/src/clusters/config';
import { renderRbac } from '../plugins/tracing-backend/src/rbac/renderRbac';
import { KubeApi } from '../plugins/tracing-backend/src/clusters/KubeApi';
import { BEYLA_NAME } from '../plugins/tracing-backend/src/render';
import { DatabaseClusterStore } from '../plugins/tracing-backend/src/database/DatabaseClusterStore';
import { DatabaseTracingRequestStore } from '../plugins/tracing-backend/src/database/DatabaseTracingRequestStore';
import { RequestTransitions } from '../plugins/tracing-backend/src/lifecycle/RequestTransitions';
import { Reconciler } from '../plugins/tracing-backend/src/reconcile/Reconciler';
import {
  NEW_REQUEST,
  testClusterSettings,
} from '../plugins/tracing-backend/src/__testUtils__/fixtures';
import {
  NewTracingRequest,
  TracingRequestStore,
} from '../plugins/tracing-backend/src/database/TracingRequestStore';
import { quietAuditor, quietLogger } from './quiet';

/** The request store on a fresh in-memory SQLite database. */
export async function memoryStore() {
  const knex = Knex({
    client: 'better-sqlite3',
    connection: ':memory:',
    useNullAsDefault: true,
  });
  const store = await DatabaseTracingRequestStore.create({
    database: mockServices.database({ knex }),
  });
  const clusterStore = await DatabaseClusterStore.create({
    database: mockServices.database({ knex }),
  });
  return { knex, store, clusterStore };
}

/**
 * The seeded local control plane with 3 KWOK nodes and Tracegate's token,
 * for `run`; stopped afterwards.
 */
export async function withCluster<T>(
  run: (cluster: LocalControlPlane, token: string) => Promise<T>,
): Promise<T> {
  const cluster = await startControlPlane({ nodes: 3 });
  try {
    await seedPlatform(cluster);
    return await run(cluster, await createTracegateServiceAccount(cluster));
  } finally {
    await cluster.stop();
  }
}

/**
 * Settings of the local cluster with a Beyla namespace of the bench's own,
 * and Tracegate's RBAC for that namespace (as `yarn tracegate-rbac` writes
 * it) applied on the cluster: without it Tracegate may not write there.
 */
export async function benchClusterSettings(
  cluster: LocalControlPlane,
  token: string,
  beylaNamespace: string,
): Promise<ClusterSettings> {
  await createTracegateServiceAccount(cluster, {
    rbac: renderRbac({
      beylaNamespace,
      datasourceNamespace: DEFAULT_DATASOURCE_NAMESPACE,
    }),
  });
  return testClusterSettings({
    url: cluster.url,
    serviceAccountToken: token,
    caData: Buffer.from(cluster.caData).toString('base64'),
    beyla: { namespace: beylaNamespace },
  });
}

/** A store, the cluster's registry, transitions and a reconciler. */
export async function benchReconciler(
  settings: ClusterSettings,
  options: {
    rolloutPollMs?: number;
    gitPollMs?: number;
    retryBaseMs?: number;
    applyWindowMs?: number;
    /** As in the plugin: a change to the live set asks for a pass. */
    reconcileOnChange?: boolean;
  } = {},
) {
  const { knex, store, clusterStore } = await memoryStore();
  const clusters = new ClusterRegistry([settings]);
  const transitions: RequestTransitions = new RequestTransitions({
    store,
    auditor: quietAuditor,
    logger: quietLogger,
    onLiveSetChange: options.reconcileOnChange
      ? request => reconciler.reconcileSoon(request.cluster)
      : undefined,
  });
  const reconciler: Reconciler = new Reconciler({
    store,
    clusterStore,
    clusters,
    transitions,
    logger: quietLogger,
    rolloutPollMs: options.rolloutPollMs,
    gitPollMs: options.gitPollMs,
    retryBaseMs: options.retryBaseMs,
    applyWindowMs: options.applyWindowMs,
  });
  const close = async () => {
    reconciler.stop();
    await clusters.close();
    await knex.destroy();
  };
  return {
    knex,
    store,
    clusterStore,
    clusters,
    transitions,
    reconciler,
    close,
  };
}

/** The p-th percentile (nearest rank). */
export function percentile(xs: number[], p: number): number {
  return [...xs].sort((a, b) => a - b)[
    Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))
  ];
}

/**
 * Beyla's DaemonSet generation: one per template change, that is, per
 * rollout (creation included); 0 when there is none.
 */
export async function beylaGeneration(
  api: KubeApi,
  namespace: string,
): Promise<number> {
  const daemonSet = await api.get({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: BEYLA_NAME, namespace },
  });
  return Number(
    (daemonSet?.metadata as { generation?: number } | undefined)?.generation ??
      0,
  );
}

/**
 * Files a request (NEW_REQUEST with `change`) and moves it, store only, to
 * `approved` (or on to `active`): what an approval would leave behind.
 */
export async function fileInStore(
  store: TracingRequestStore,
  change: Partial<NewTracingRequest>,
  options: { to?: 'approved' | 'active'; at?: string } = {},
): Promise<string> {
  const at = options.at ?? new Date().toISOString();
  const { id } = await store.create(
    { ...NEW_REQUEST, ...change },
    { actor: 'bench', at },
  );
  await store.transition({
    id,
    from: 'pending',
    to: 'approved',
    actor: 'bench',
    at,
  });
  if (options.to === 'active') {
    await store.transition({
      id,
      from: 'approved',
      to: 'active',
      actor: 'bench',
      at,
    });
  }
  return id;
}
