import { KubeObject } from '../render/types';

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
