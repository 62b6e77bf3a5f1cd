import { RolloutState } from '@tracegate/plugin-tracing-common';
import { KubeApi } from '../clusters/KubeApi';
import { BEYLA_NAME, BEYLA_POD_SELECTOR } from '../render/beyla';
import { KubeObject } from '../render/types';

type DaemonSetStatus = {
  observedGeneration?: number;
  desiredNumberScheduled?: number;
  updatedNumberScheduled?: number;
  numberReady?: number;
  numberAvailable?: number;
  numberUnavailable?: number;
};

type PodStatus = {
  phase?: string;
  conditions?: Array<{ type: string; status: string; message?: string }>;
  containerStatuses?: Array<{
    ready?: boolean;
    state?: Record<
      string,
      { reason?: string; message?: string; exitCode?: number } | undefined
    >;
    lastState?: Record<
      string,
      { reason?: string; message?: string; exitCode?: number } | undefined
    >;
  }>;
};

/**
 * How far Beyla's DaemonSet has rolled out its current template (the config
 * checksum): complete when the controller saw the latest spec and every
 * scheduled node runs an updated, available pod.
 */
export function daemonSetRollout(daemonSet: KubeObject): RolloutState {
  const status = (daemonSet.status ?? {}) as DaemonSetStatus;
  const generation = (daemonSet.metadata as { generation?: number }).generation;
  const desired = status.desiredNumberScheduled ?? 0;
  const updated = status.updatedNumberScheduled ?? 0;
  const ready = status.numberReady ?? 0;
  const observed =
    generation === undefined || (status.observedGeneration ?? 0) >= generation;
  const complete =
    observed &&
    desired > 0 &&
    updated === desired &&
    (status.numberAvailable ?? 0) === desired &&
    !status.numberUnavailable;
  const rollout: RolloutState = { desired, updated, ready, complete };
  if (observed && desired === 0) {
    rollout.message =
      'no node runs Beyla: no node matches its node selector and tolerations';
  }
  return rollout;
}

/**
 * The rollout of Beyla's DaemonSet in `namespace`, with the pods' own reasons
 * when it is not complete; undefined when there is no DaemonSet. Pass the
 * live DaemonSet when it was just read, to save reading it again.
 */
export async function readBeylaRollout(
  api: KubeApi,
  namespace: string,
  liveDaemonSet?: KubeObject,
): Promise<RolloutState | undefined> {
  const daemonSet =
    liveDaemonSet ??
    (await api.get({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: BEYLA_NAME, namespace },
    }));
  if (!daemonSet) return undefined;
  const rollout = daemonSetRollout(daemonSet);
  if (!rollout.complete && !rollout.message) {
    const pods = await api.list(
      { apiVersion: 'v1', kind: 'Pod' },
      BEYLA_POD_SELECTOR,
      namespace,
    );
    const reasons = podProblems(pods);
    if (reasons) rollout.message = reasons;
  }
  return rollout;
}

/**
 * What keeps pods from running, in the pods' own words, most frequent
 * first: `2 pods: Error (exit 1): parsing YAML configuration: ...`.
 */
export function podProblems(pods: KubeObject[]): string | undefined {
  const counts = new Map<string, number>();
  for (const pod of pods) {
    const problem = podProblem((pod.status ?? {}) as PodStatus);
    if (problem) counts.set(problem, (counts.get(problem) ?? 0) + 1);
  }
  if (!counts.size) return undefined;
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([text, n]) => `${n} pod${n === 1 ? '' : 's'}: ${text}`)
    .join('; ');
}

function podProblem(status: PodStatus): string | undefined {
  const unscheduled = status.conditions?.find(
    c => c.type === 'PodScheduled' && c.status === 'False',
  );
  if (unscheduled) return `not scheduled: ${unscheduled.message ?? ''}`.trim();
  for (const container of status.containerStatuses ?? []) {
    if (container.ready) continue;
    const waiting = container.state?.waiting;
    const exited =
      container.state?.terminated ?? container.lastState?.terminated;
    if (exited) {
      const how = `${exited.reason ?? 'exited'}${
        exited.exitCode !== undefined ? ` (exit ${exited.exitCode})` : ''
      }${exited.message ? `: ${exited.message}` : ''}`;
      return waiting?.reason ? `${waiting.reason}, last ${how}` : how;
    }
    if (waiting?.reason) {
      return `${waiting.reason}${
        waiting.message ? `: ${waiting.message}` : ''
      }`;
    }
  }
  if (status.phase === 'Failed') return 'Failed';
  return undefined;
}
