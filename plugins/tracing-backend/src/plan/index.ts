export {
  blockingError,
  changedObjects,
  planCluster,
  servedBy,
  writes,
} from './plan';
export type { ClusterPlan, PlanAction } from './plan';
export { managedFields, readLiveState } from './liveState';
export type { LiveState } from './liveState';
export { containsSubset, differingPaths, projectOnto } from './subset';
export { daemonSetRollout, podProblems, readBeylaRollout } from './rollout';
