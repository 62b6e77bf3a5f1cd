/**
 * Reads what the Beyla node plan (plan/beylaNodes.ts) needs from a cluster:
 * Beyla's pods and the config each started with, the nodes, and what runs on
 * every node whose Beyla is not settled on the desired config. On a settled
 * cluster that is three reads; after a change, one more per unsettled node
 * (its pods' metadata only) and two per request not yet active.
 */
import { TracingRequest } from '@tracegate/plugin-tracing-common';
import { beylaOwners } from '../beyla/serviceName';
import { isTargetPod } from '../beyla/selection';
import { ClusterSettings } from '../clusters/config';
import { KubeApi } from '../clusters/KubeApi';
import {
  BeylaNodeInput,
  BeylaPodState,
  NodeWorkload,
  settledNodes,
} from '../plan/beylaNodes';
import {
  BEYLA_CONFIG_KEY,
  BEYLA_POD_SELECTOR,
  BEYLA_TEMPLATE_ANNOTATION,
  configMapOfBeylaPod,
} from '../render/beyla';
import {
  BeylaSelections,
  parseBeylaSelections,
} from '../render/beylaSelections';
import { KubeObject } from '../render/types';
import { readWorkloadPods } from '../targets/workloadPods';

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);
/** Node workload reads in flight at once. */
const CONCURRENCY = 8;

/** Parsed configs by ConfigMap name: immutable, so read once per process. */
export type ConfigCache = Map<
  string,
  { selections: BeylaSelections; created: string }
>;

type PodStatus = {
  phase?: string;
  conditions?: Array<{ type: string; status: string }>;
};

function isReady(pod: KubeObject): boolean {
  return Boolean(
    ((pod.status ?? {}) as PodStatus).conditions?.some(
      c => c.type === 'Ready' && c.status === 'True',
    ),
  );
}

export function beylaPodState(pod: KubeObject): BeylaPodState {
  const metadata = pod.metadata as KubeObject['metadata'] & {
    uid?: string;
    deletionTimestamp?: string;
  };
  return {
    name: metadata.name,
    uid: metadata.uid ?? '',
    node: (pod.spec as { nodeName?: string } | undefined)?.nodeName ?? '',
    configMap: configMapOfBeylaPod(pod),
    template: metadata.annotations?.[BEYLA_TEMPLATE_ANNOTATION],
    ready: isReady(pod) && !metadata.deletionTimestamp,
    terminating: Boolean(metadata.deletionTimestamp),
  };
}

/** Runs `work` over `items`, `limit` at a time. */
async function inBatches<T>(
  items: T[],
  limit: number,
  work: (item: T) => Promise<void>,
) {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
        await work(item);
      }
    }),
  );
}

/** The keys of the workloads (of a kind a request names) with pods in `pods`. */
function targetsOf(pods: KubeObject[]): Set<string> {
  const keys = new Set<string>();
  for (const pod of pods) {
    for (const owner of beylaOwners(pod as Parameters<typeof beylaOwners>[0])) {
      if (WORKLOAD_KINDS.has(owner.kind)) {
        keys.add(`${pod.metadata.namespace}/${owner.kind}/${owner.name}`);
      }
    }
  }
  return keys;
}

export async function readBeylaNodes(options: {
  api: KubeApi;
  cluster: ClusterSettings;
  desired: BeylaNodeInput['desired'];
  /** Requests whose target's nodes are read exactly (not yet active). */
  exact: TracingRequest[];
  cache: ConfigCache;
  /** Beyla's pods, when the caller just read them. */
  beylaPods?: KubeObject[];
}): Promise<{ input: BeylaNodeInput; beylaPods: KubeObject[] }> {
  const { api, cluster, desired, cache } = options;
  const namespace = cluster.beyla.namespace;
  const [beylaPods, nodes] = await Promise.all([
    options.beylaPods ??
      api.list(
        { apiVersion: 'v1', kind: 'Pod' },
        BEYLA_POD_SELECTOR,
        namespace,
      ),
    api.list({ apiVersion: 'v1', kind: 'Node' }, 'kubernetes.io/os=linux'),
  ]);
  const pods = beylaPods.map(beylaPodState);

  const configs = new Map<string, BeylaSelections | undefined>();
  const configCreated = new Map<string, string>();
  configs.set(desired.configMap, desired.selections);
  for (const name of new Set(pods.map(p => p.configMap))) {
    if (!name || configs.has(name)) continue;
    let cached = cache.get(name);
    if (!cached) {
      const configMap = await api.get({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name, namespace },
      });
      const text = (configMap?.data as Record<string, string> | undefined)?.[
        BEYLA_CONFIG_KEY
      ];
      if (configMap && text !== undefined) {
        cached = {
          selections: parseBeylaSelections(text),
          created: String(
            (configMap.metadata as { creationTimestamp?: string })
              .creationTimestamp ?? '',
          ),
        };
        cache.set(name, cached);
      }
    }
    configs.set(name, cached?.selections);
    if (cached) configCreated.set(name, cached.created);
  }

  const settled = settledNodes({ desired, pods });
  const nodeNames = nodes.map(n => n.metadata.name);
  const workloads = new Map<string, NodeWorkload>();
  await inBatches(
    nodeNames.filter(n => !settled.has(n)),
    CONCURRENCY,
    async node => {
      const onNode = await api.list(
        { apiVersion: 'v1', kind: 'Pod' },
        undefined,
        undefined,
        {
          fieldSelector: `spec.nodeName=${node},status.phase!=Succeeded,status.phase!=Failed`,
          metadataOnly: true,
        },
      );
      workloads.set(node, { targets: targetsOf(onNode), pods: onNode.length });
    },
  );

  const targetNodes = new Map<string, string[]>();
  await inBatches(options.exact, CONCURRENCY, async request => {
    const { kind, name } = request.workload;
    const workload = await api.get({
      apiVersion: 'apps/v1',
      kind,
      metadata: { name, namespace: request.namespace },
    });
    const targetPods = workload
      ? (await readWorkloadPods(api, workload)).filter(
          pod =>
            isTargetPod(request, {
              namespace: pod.metadata.namespace ?? '',
              owners: beylaOwners(pod as Parameters<typeof beylaOwners>[0]),
            }) &&
            !['Succeeded', 'Failed'].includes(
              ((pod.status ?? {}) as PodStatus).phase ?? '',
            ),
        )
      : [];
    targetNodes.set(`${request.namespace}/${kind}/${name}`, [
      ...new Set(
        targetPods
          .map(p => (p.spec as { nodeName?: string } | undefined)?.nodeName)
          .filter((n): n is string => Boolean(n)),
      ),
    ]);
  });

  return {
    beylaPods,
    input: {
      desired,
      pods,
      configs,
      configCreated,
      nodes: nodes.map(n => ({
        name: n.metadata.name,
        allocatablePods: Number(
          (n.status as { allocatable?: { pods?: string } } | undefined)
            ?.allocatable?.pods ?? Infinity,
        ),
      })),
      workloads,
      targetNodes,
      priorityClass: Boolean(cluster.beyla.priorityClassName),
      maxParallelRestarts: cluster.beyla.maxParallelRestarts,
      maxConfigVersions: cluster.beyla.maxConfigVersions,
    },
  };
}
