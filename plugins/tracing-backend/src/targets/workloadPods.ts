import { KubeApi } from '../clusters/KubeApi';
import { KubeObject } from '../render/types';

/** A workload's pod selector (`spec.selector.matchLabels`) as a label selector. */
export function podSelectorOf(workload: KubeObject): string | undefined {
  const matchLabels = (
    workload.spec as { selector?: { matchLabels?: Record<string, string> } }
  )?.selector?.matchLabels;
  if (!matchLabels || !Object.keys(matchLabels).length) return undefined;
  return Object.entries(matchLabels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/**
 * The pods a workload's selector selects in its namespace: its own, and any
 * other's that share the labels (filter with `isTargetPod`).
 */
export async function readWorkloadPods(
  api: KubeApi,
  workload: KubeObject,
): Promise<KubeObject[]> {
  const selector = podSelectorOf(workload);
  if (!selector) return [];
  return api.list(
    { apiVersion: 'v1', kind: 'Pod' },
    selector,
    workload.metadata.namespace,
  );
}
