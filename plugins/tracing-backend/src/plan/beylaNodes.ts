/**
 * Which Beyla pods to restart, node by node. Pure: the reconciler reads the
 * cluster (reconcile/readBeylaNodes.ts) and deletes the pods this names.
 *
 * Beyla reads its config once at start and its DaemonSet is `OnDelete`, so
 * each Beyla pod runs the config it started with (the ConfigMap its spec
 * names). A node needs a restart only when a target with pods on that node is
 * selected differently by its pod's config than by the desired one (added,
 * removed, other labels, ports or sampler), or the exporter settings differ
 * for such a target, or the pod runs an older template (image, security
 * context). Nodes that run none of the changed targets keep their Beyla.
 * A restart is a delete: the DaemonSet controller starts the replacement from
 * the current template. At most `maxParallelRestarts` nodes are without a
 * ready Beyla at once, and without a PriorityClass a full node keeps its
 * Beyla rather than risk a replacement that cannot be scheduled.
 */
import { BeylaSelections } from '../render/beylaSelections';

/** A Beyla pod as the plan needs it. */
export type BeylaPodState = {
  name: string;
  uid: string;
  node: string;
  /** The ConfigMap it started with. */
  configMap?: string;
  /** Its template hash annotation. */
  template?: string;
  ready: boolean;
  terminating: boolean;
};

/** A node Beyla should run on. */
export type BeylaNodeState = {
  name: string;
  /** Pods the node takes (`status.allocatable.pods`). */
  allocatablePods: number;
};

/** What runs on a node whose Beyla is not settled on the desired config. */
export type NodeWorkload = {
  /** Keys of the targets (`targetKey`) with a pod on the node. */
  targets: Set<string>;
  /** Pods on the node that hold a slot (not finished). */
  pods: number;
};

export type BeylaNodeInput = {
  desired: { configMap: string; template: string; selections: BeylaSelections };
  pods: BeylaPodState[];
  /** The selections of each config a pod runs; undefined: not readable. */
  configs: Map<string, BeylaSelections | undefined>;
  /** Creation time of each config a pod runs (oldest first restarts first). */
  configCreated: Map<string, string>;
  nodes: BeylaNodeState[];
  /** For every node not settled (see {@link settledNodes}). */
  workloads: Map<string, NodeWorkload>;
  /** Nodes with pods of a target, where known exactly (requests not yet active). */
  targetNodes: Map<string, string[]>;
  priorityClass: boolean;
  maxParallelRestarts: number;
  maxConfigVersions: number;
};

/** How far the desired config reaches a target's nodes. */
export type TargetNodes = {
  /** Nodes that run pods of the target (as far as known). */
  hosting: string[];
  /** Of those, the ones whose Beyla runs the target's desired selection. */
  updated: string[];
  /** Of those, the ones whose Beyla is also ready. */
  ready: string[];
  /** Hosting nodes without a ready Beyla pod. */
  withoutReadyBeyla: string[];
};

export type BeylaNodePlan = {
  /** Nodes Beyla should run on. */
  nodes: number;
  restarts: Array<{
    node: string;
    pod: { name: string; uid: string };
    reason: string;
  }>;
  /** Nodes that need a restart that this pass does not do, and why. */
  waiting: Array<{ node: string; reason: string }>;
  /** Nodes without a ready Beyla pod, and why when known. */
  withoutReadyBeyla: string[];
  /** Configs Beyla's pods run now. */
  configsInUse: string[];
  target(key: string): TargetNodes;
};

/** The live (not terminating) Beyla pod of each node. */
function livePods(pods: BeylaPodState[]): Map<string, BeylaPodState> {
  const byNode = new Map<string, BeylaPodState>();
  for (const pod of pods) {
    if (!pod.terminating) byNode.set(pod.node, pod);
  }
  return byNode;
}

/**
 * Nodes whose Beyla needs no look at what runs there: a ready pod started
 * from the desired config and template. The reconciler reads the workloads
 * of every other node.
 */
export function settledNodes(
  input: Pick<BeylaNodeInput, 'desired' | 'pods'>,
): Set<string> {
  const settled = new Set<string>();
  for (const [node, pod] of livePods(input.pods)) {
    if (
      pod.ready &&
      pod.configMap === input.desired.configMap &&
      pod.template === input.desired.template
    ) {
      settled.add(node);
    }
  }
  return settled;
}

export function planBeylaNodes(input: BeylaNodeInput): BeylaNodePlan {
  const { desired } = input;
  const live = livePods(input.pods);
  const settled = settledNodes(input);
  const terminating = new Set(
    input.pods.filter(p => p.terminating).map(p => p.node),
  );

  /** Whether node `n`'s Beyla selects target `key` as desired. */
  const runsDesired = (node: string, key: string): boolean => {
    if (settled.has(node)) return true;
    const pod = live.get(node);
    if (!pod?.configMap || pod.template !== desired.template) return false;
    if (pod.configMap === desired.configMap) return true;
    const config = input.configs.get(pod.configMap);
    if (!config) return false;
    if (config.global !== desired.selections.global) return false;
    return config.targets.get(key) === desired.selections.targets.get(key);
  };

  const withoutReadyBeyla = input.nodes
    .map(n => n.name)
    .filter(node => !live.get(node)?.ready)
    .sort();

  // Which nodes need a restart, and why.
  const needs = new Map<string, string>();
  for (const [node, pod] of live) {
    if (settled.has(node)) continue;
    if (pod.template !== desired.template) {
      needs.set(node, 'its Beyla runs an older pod template');
      continue;
    }
    if (pod.configMap === desired.configMap) continue; // starting
    const config = pod.configMap ? input.configs.get(pod.configMap) : undefined;
    const here = input.workloads.get(node)?.targets ?? new Set<string>();
    const relevant = [...here].filter(
      key => desired.selections.targets.has(key) || config?.targets.has(key),
    );
    if (!config) {
      needs.set(
        node,
        `its Beyla's config ${pod.configMap ?? ''} could not be read`,
      );
    } else if (relevant.some(key => !runsDesired(node, key))) {
      const changed = relevant.filter(key => !runsDesired(node, key)).sort();
      needs.set(
        node,
        `it runs pods of ${changed.slice(0, 3).join(', ')}${
          changed.length > 3 ? ` and ${changed.length - 3} more` : ''
        }, whose selection changed`,
      );
    }
  }
  // Too many configs in use: the nodes on the oldest catch up.
  const configsInUse = [
    ...new Set([...live.values()].map(p => p.configMap ?? '')),
  ].filter(Boolean);
  if (configsInUse.length > input.maxConfigVersions) {
    const oldest = configsInUse
      .filter(c => c !== desired.configMap)
      .sort((a, b) =>
        (input.configCreated.get(a) ?? '').localeCompare(
          input.configCreated.get(b) ?? '',
        ),
      )
      .slice(0, configsInUse.length - input.maxConfigVersions);
    for (const [node, pod] of live) {
      if (pod.configMap && oldest.includes(pod.configMap) && !needs.has(node)) {
        needs.set(
          node,
          `more than ${input.maxConfigVersions} configs are in use (beyla.maxConfigVersions) and it runs one of the oldest`,
        );
      }
    }
  }

  // Restarts in flight: nodes whose Beyla is going or not yet ready.
  const inFlight = new Set([
    ...terminating,
    ...[...live.values()].filter(p => !p.ready).map(p => p.node),
  ]);
  let room = Math.max(0, input.maxParallelRestarts - inFlight.size);
  const allocatable = new Map(
    input.nodes.map(n => [n.name, n.allocatablePods]),
  );
  const restarts: BeylaNodePlan['restarts'] = [];
  const waiting: BeylaNodePlan['waiting'] = [];
  for (const node of [...needs.keys()].sort()) {
    const reason = needs.get(node)!;
    const pod = live.get(node)!;
    if (terminating.has(node)) continue;
    const slots = allocatable.get(node) ?? Infinity;
    const used = input.workloads.get(node)?.pods ?? 0;
    if (!input.priorityClass && used >= slots) {
      waiting.push({
        node,
        reason: `${reason}, but the node is full (${used}/${slots} pods) and Beyla has no PriorityClass to make room (beyla.priorityClassName): its Beyla keeps its config`,
      });
    } else if (room <= 0) {
      waiting.push({
        node,
        reason: `${reason}; waits for a restart slot (beyla.maxParallelRestarts ${input.maxParallelRestarts})`,
      });
    } else {
      room -= 1;
      restarts.push({ node, pod: { name: pod.name, uid: pod.uid }, reason });
    }
  }

  return {
    nodes: input.nodes.length,
    restarts,
    waiting,
    withoutReadyBeyla,
    configsInUse,
    target(key: string): TargetNodes {
      const hosting = new Set(input.targetNodes.get(key) ?? []);
      for (const [node, workload] of input.workloads) {
        if (workload.targets.has(key)) hosting.add(node);
      }
      const nodes = [...hosting].sort();
      const updated = nodes.filter(node => runsDesired(node, key));
      return {
        hosting: nodes,
        updated,
        ready: updated.filter(node => live.get(node)?.ready),
        withoutReadyBeyla: nodes.filter(node => !live.get(node)?.ready),
      };
    },
  };
}
