import { RolloutState } from './domain';

/**
 * A rollout in words, the same in the API and the UI: "rolling out 1/3
 * nodes", "3/3 nodes run the current config", with the reason when known.
 *
 * @public
 */
export function describeRollout(rollout: RolloutState): string {
  if (rollout.complete) {
    return `${rollout.ready}/${rollout.desired} nodes run the current config`;
  }
  if (rollout.desired === 0 && !rollout.message) {
    // Applied a moment ago: the DaemonSet controller has not counted yet.
    return 'rolling out: waiting for the DaemonSet controller';
  }
  const done = Math.min(rollout.updated, rollout.ready);
  const progress = `rolling out ${done}/${rollout.desired} nodes`;
  return rollout.message ? `${progress}: ${rollout.message}` : progress;
}
