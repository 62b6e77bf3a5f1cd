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
export { podProblems } from './podProblems';
export { clusterPlan } from './clusterPlan';
export type { PlannedCluster } from './clusterPlan';
export { liveSet, previewSet } from './requestSets';
export { planBeylaNodes, settledNodes } from './beylaNodes';
export type { BeylaNodeInput, BeylaNodePlan, TargetNodes } from './beylaNodes';
