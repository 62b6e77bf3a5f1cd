/**
 * A real local Kubernetes control plane for Tracegate's tests and demo.
 *
 * @packageDocumentation
 */

export {
  buildControlPlane,
  kubeConfigFor,
  startControlPlane,
} from './controlPlane';
export type { LocalControlPlane } from './controlPlane';
export {
  addFakeNodes,
  beylaStartDelayStage,
  buildKwok,
  CRASHLOOP_BEYLA_IMAGE,
  CRASHLOOP_STAGE,
  FAKE_NODE_ANNOTATION,
} from './nodes';
export {
  createIfMissing,
  createTracegateServiceAccount,
  statusCode,
  TRACEGATE_ACCOUNT,
  TRACEGATE_APPLIER_RULES,
  TRACEGATE_RBAC_DOCUMENTS,
  withoutDaemonSets,
  TRACEGATE_NAMESPACE,
} from './access';
export {
  deploymentManifest,
  PLATFORM_FIELD_MANAGER,
  demoOraclePods,
  SEED_DEPLOYMENTS,
  SEED_NAMESPACES,
  SEED_PROMETHEUS,
  seedPlatform,
} from './seed';
export {
  buildJaeger,
  freePort,
  jaegerConfig,
  sendSpans,
  startJaeger,
} from './jaeger';
export type { LocalTraceStore, TestSpan } from './jaeger';
export { startDemoTraffic } from './demoTraffic';
export { git, gitAuthEnv, startGitServer } from './gitServer';
export type { LocalGitServer } from './gitServer';
export { buildKubectl, startGitOpsStandIn } from './gitopsStandIn';
export type { GitOpsStandIn } from './gitopsStandIn';
