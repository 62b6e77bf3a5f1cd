/**
 * One reconcile pass over one cluster: plan the live set (clusterPlan),
 * write what the plan says, restart Beyla on the nodes the change concerns
 * (plan/beylaNodes.ts), and say what it found, per request and for the
 * cluster (passRecords.ts). It moves no request: recordOutcomes does, from
 * what this returns. A git pass (GitPass.ts) starts and follows Beyla the
 * same way (planPass, followBeyla) but writes to git instead.
 */
import {
  RecordedObject,
  TracingRequest,
} from '@tracegate/plugin-tracing-common';
import { ClusterSettings } from '../clusters/config';
import { describeKubeError } from '../clusters/errors';
import { KubeApi } from '../clusters/KubeApi';
import {
  blockingError,
  BeylaNodePlan,
  ClusterPlan,
  clusterPlan,
  PlanAction,
  PlannedCluster,
  planBeylaNodes,
  podProblems,
} from '../plan';
import {
  BEYLA_CONFIG_KEY,
  BEYLA_CONFIG_LABEL,
  BEYLA_NAME,
  BEYLA_TEMPLATE_ANNOTATION,
  configMapOfBeylaPod,
  parseBeylaSelections,
} from '../render';
import { BeylaSelections, targetKey } from '../render/beylaSelections';
import { KubeObject, objectKey } from '../render/types';
import { applyTakingBackHandEdits } from './applyObject';
import { recordObjects } from './passRecords';
import { ConfigCache, readBeylaNodes } from './readBeylaNodes';

/** What one pass did and found. */
export type PassOutcome = {
  cluster: string;
  requests: TracingRequest[];
  applied: string[];
  deleted: string[];
  released: string[];
  /** Request id → error, for requests whose objects could not be applied. */
  errors: Record<string, string>;
  /** Problems not tied to a request. */
  clusterErrors: string[];
  /**
   * Requests whose own part this pass wrote: their entry in Beyla's config
   * changed, or the Prometheus CR or datasource they need.
   */
  appliedFor: Set<string>;
  /** Beyla on the nodes, when eBPF requests are live and it could be read. */
  beyla?: {
    plan: BeylaNodePlan;
    selections: BeylaSelections;
    /** Nodes whose Beyla pod this pass deleted (the DaemonSet replaces it). */
    restarted: string[];
    problems?: string;
  };
  /** Cluster-wide objects, for status. */
  beylaObjects: RecordedObject[];
  sharedObjects: RecordedObject[];
  /** Each request's own objects (its entry, a Prometheus CR). */
  requestObjects: Map<string, RecordedObject[]>;
  /** Git delivery: the commit that holds the pass's files. */
  commit?: { sha: string; committed: boolean; retries: number };
  /**
   * Git delivery: per request, what of its committed objects the cluster
   * does not hold yet (the GitOps tool has not applied them).
   */
  notOnCluster?: Map<string, string[]>;
};

/** The lease was taken over (this pass stalled past its TTL): stop writing. */
export class LeaseLostError extends Error {}

/** What a pass over one cluster is given. */
export type PassOptions = {
  cluster: ClusterSettings;
  api: KubeApi;
  requests: TracingRequest[];
  /** Throws LeaseLostError when this pass may no longer write. */
  fence: () => Promise<void>;
  configCache: ConfigCache;
};

/** The start of every pass: the whole-cluster plan and an empty outcome. */
export async function planPass(options: PassOptions) {
  const { cluster, api, requests } = options;
  const outcome = emptyOutcome(cluster.name, requests);
  const planned = await clusterPlan({
    api,
    cluster,
    requests,
    removable: true,
  });
  if (planned.live.removableError) {
    outcome.clusterErrors.push(describeKubeError(planned.live.removableError));
  }
  return { outcome, planned };
}

export async function runClusterPass(
  options: PassOptions,
): Promise<PassOutcome> {
  const { cluster, api, fence } = options;
  const { outcome, planned } = await planPass(options);
  // The config the DaemonSet named before this pass: entries that differ
  // from it are the ones this pass changes.
  const before = selectionsBefore(planned.plan, options.configCache);
  await execute(api, planned.plan, outcome, fence);
  await followBeyla({
    ...options,
    planned,
    outcome,
    restartSince: { before },
  });
  recordObjects(cluster, planned.plan, outcome);
  return outcome;
}

/** An outcome with nothing done or found yet. */
export function emptyOutcome(
  cluster: string,
  requests: TracingRequest[],
): PassOutcome {
  return {
    cluster,
    requests,
    applied: [],
    deleted: [],
    released: [],
    errors: {},
    clusterErrors: [],
    appliedFor: new Set(),
    beylaObjects: [],
    sharedObjects: [],
    requestObjects: new Map(),
  };
}

/**
 * Beyla's nodes for the plan's config: read and planned (plan/beylaNodes.ts).
 * With `restartSince` (apply delivery; the config before the pass), the
 * eBPF requests whose entry differs from it count as applied by this pass,
 * and the pods on the nodes that need the new config are deleted.
 */
export async function followBeyla(options: {
  cluster: ClusterSettings;
  api: KubeApi;
  planned: PlannedCluster;
  outcome: PassOutcome;
  fence: () => Promise<void>;
  configCache: ConfigCache;
  restartSince?: { before?: BeylaSelections };
}) {
  const { planned, outcome, restartSince } = options;
  const ebpf = planned.requests.filter(r => r.method === 'ebpf');
  const configMap = planned.desired.find(
    o => o.kind === 'ConfigMap' && o.metadata.labels?.[BEYLA_CONFIG_LABEL],
  );
  const daemonSet = planned.desired.find(
    o => o.kind === 'DaemonSet' && o.metadata.name === BEYLA_NAME,
  );
  if (!configMap || !daemonSet || ebpf.every(r => outcome.errors[r.id])) {
    return;
  }
  const selections = selectionsOf(configMap, options.configCache);
  if (restartSince) {
    const { before } = restartSince;
    for (const r of ebpf) {
      if (
        before?.targets.get(targetKey(r)) !==
          selections.targets.get(targetKey(r)) ||
        before?.global !== selections.global
      ) {
        outcome.appliedFor.add(r.id);
      }
    }
  }
  try {
    await restartBeyla({
      api: options.api,
      cluster: options.cluster,
      outcome,
      fence: options.fence,
      configCache: options.configCache,
      beylaPods: planned.live.beylaPods ?? [],
      desired: {
        configMap: configMap.metadata.name,
        template: (daemonSet.spec as any).template.metadata.annotations[
          BEYLA_TEMPLATE_ANNOTATION
        ],
        selections,
      },
      exact: ebpf.filter(r => r.status !== 'active' && !outcome.errors[r.id]),
      restart: Boolean(restartSince),
    });
  } catch (error) {
    if (error instanceof LeaseLostError) throw error;
    outcome.clusterErrors.push(describeKubeError(error));
  }
}

/** The selections of the config the live DaemonSet named, if known. */
function selectionsBefore(
  plan: ClusterPlan,
  cache: ConfigCache,
): BeylaSelections | undefined {
  const daemonSet = plan.actions.find(
    (a): a is Extract<PlanAction, { live: KubeObject }> =>
      'live' in a &&
      a.live.kind === 'DaemonSet' &&
      a.live.metadata.name === BEYLA_NAME,
  );
  if (!daemonSet) return undefined;
  const name = configMapOfBeylaPod(
    (daemonSet.live.spec as { template?: { spec?: unknown } } | undefined)
      ?.template ?? {},
  );
  if (!name) return undefined;
  const cached = cache.get(name);
  if (cached) return cached.selections;
  const live = plan.actions.find(
    (a): a is Extract<PlanAction, { live: KubeObject }> =>
      'live' in a &&
      a.live.kind === 'ConfigMap' &&
      a.live.metadata.name === name,
  );
  const text = (live?.live.data as Record<string, string> | undefined)?.[
    BEYLA_CONFIG_KEY
  ];
  return text === undefined ? undefined : parseBeylaSelections(text);
}

/** The selections of a desired config, parsed once per config. */
function selectionsOf(
  configMap: KubeObject,
  cache: ConfigCache,
): BeylaSelections {
  const name = configMap.metadata.name;
  let cached = cache.get(name);
  if (!cached) {
    cached = {
      selections: parseBeylaSelections(
        (configMap.data as Record<string, string>)[BEYLA_CONFIG_KEY],
      ),
      created: new Date().toISOString(),
    };
    cache.set(name, cached);
  }
  return cached.selections;
}

/**
 * Runs the plan in order. A failed action is charged to the requests it
 * serves (the first error each), and later actions that only serve
 * requests that already failed are skipped.
 */
async function execute(
  api: KubeApi,
  plan: ClusterPlan,
  outcome: PassOutcome,
  fence: () => Promise<void>,
) {
  for (const action of plan.actions) {
    const ids = action.requestIds;
    if (ids.length && ids.every(id => outcome.errors[id])) continue;
    if (action.type !== 'none') await fence();
    try {
      await executeAction(api, action, outcome);
    } catch (error) {
      if (error instanceof LeaseLostError) throw error;
      const message = describeKubeError(error);
      if (!ids.length) outcome.clusterErrors.push(message);
      for (const id of ids) outcome.errors[id] ??= message;
    }
  }
}

async function executeAction(
  api: KubeApi,
  action: PlanAction,
  outcome: PassOutcome,
) {
  switch (action.type) {
    case 'none':
      return;
    case 'unreadable':
    case 'missing':
    case 'conflict':
      // Never create a Prometheus: the request names one that must exist.
      throw blockingError(action);
    case 'create':
    case 'update':
      await applyTakingBackHandEdits(api, action.object);
      outcome.applied.push(objectKey(action.object));
      // Beyla's shared objects are charged by entry (runClusterPass).
      if (
        action.object.metadata.labels?.['app.kubernetes.io/name'] !== BEYLA_NAME
      ) {
        action.requestIds.forEach(id => outcome.appliedFor.add(id));
      }
      return;
    case 'delete':
      await api.delete(action.live);
      outcome.deleted.push(objectKey(action.live));
      return;
    case 'release':
      await api.apply(action.object);
      outcome.released.push(objectKey(action.live));
      return;
    default:
      throw new Error(`unknown plan action ${(action as PlanAction).type}`);
  }
}

/** Plans Beyla's nodes and deletes the pods whose nodes need the new config. */
async function restartBeyla(options: {
  api: KubeApi;
  cluster: ClusterSettings;
  outcome: PassOutcome;
  fence: () => Promise<void>;
  configCache: ConfigCache;
  beylaPods: KubeObject[];
  desired: { configMap: string; template: string; selections: BeylaSelections };
  exact: TracingRequest[];
  /** Delete the pods the plan restarts (apply delivery), or only read. */
  restart: boolean;
}) {
  const { api, cluster, outcome } = options;
  const { input } = await readBeylaNodes({
    api,
    cluster,
    desired: options.desired,
    exact: options.exact,
    cache: options.configCache,
    beylaPods: options.beylaPods,
  });
  const plan = planBeylaNodes(input);
  const restarted: string[] = [];
  for (const restart of options.restart ? plan.restarts : []) {
    await options.fence();
    await api.delete(
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: restart.pod.name,
          namespace: cluster.beyla.namespace,
        },
      },
      { uid: restart.pod.uid },
    );
    restarted.push(restart.node);
  }
  const notReady = options.beylaPods.filter(pod =>
    plan.withoutReadyBeyla.includes(
      (pod.spec as { nodeName?: string } | undefined)?.nodeName ?? '',
    ),
  );
  outcome.beyla = {
    plan,
    selections: options.desired.selections,
    restarted,
    problems: podProblems(notReady),
  };
}
