import { LastApply, RolloutState } from './domain';

/**
 * A request's Beyla rollout in words, the same in the API and the UI:
 * "its entry runs on 3/3 nodes with its pods", "starting Beyla with its
 * entry: 1/3 nodes with its pods", with the reason (naming nodes) when known.
 *
 * @public
 */
export function describeRollout(rollout: RolloutState): string {
  const nodes = `${rollout.ready}/${rollout.desired} node${
    rollout.desired === 1 ? '' : 's'
  } with its pods`;
  if (rollout.complete) {
    return rollout.desired === 0
      ? 'no pod of it runs: nothing to trace yet'
      : `its entry runs on ${nodes}`;
  }
  const progress = `starting Beyla with its entry: ${nodes}`;
  return rollout.message ? `${progress}: ${rollout.message}` : progress;
}

/**
 * A git delivery's commit in words: "committed 1a2b3c4, on the cluster",
 * "committed 1a2b3c4; not on the cluster yet: DaemonSet beyla/beyla differs".
 *
 * @public
 */
export function describeCommit(
  commit: NonNullable<LastApply['commit']>,
): string {
  const sha = commit.sha.slice(0, 7);
  if (commit.onCluster) return `committed ${sha}, on the cluster`;
  return `committed ${sha}; not on the cluster yet${
    commit.waitingFor ? `: ${commit.waitingFor}` : ''
  }`;
}
