import { Config, readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds, HumanDuration } from '@backstage/types';
import { ClusterSettings } from '../clusters/config';
import { AutoApproveRule, readAutoApproveRules } from './autoApprove';

/** @internal */
export type TracingConfig = {
  maxDurationMs: number;
  allowSelfApproval: boolean;
  expiryFrequency: HumanDuration;
  reconcileFrequency: HumanDuration;
  /** How long the reconciler waits after a change for more (one rollout for a burst). */
  applyWindowMs: number;
  /** How often the "traces arriving" check runs. */
  traceCheckFrequency: HumanDuration;
  /** How long after activation no trace counts as "no traces yet". */
  traceCheckGraceMs: number;
  clusterNames: string[];
  /** `tracing.autoApprove`: requests these rules approve without a person. */
  autoApprove: AutoApproveRule[];
  /** The group whose members approve (and hear of new requests). */
  adminGroup: string;
  /**
   * The namespaces Beyla will not instrument on each cluster (its default
   * exclusions less `beyla.allowExcludedNamespaces`).
   */
  beylaExcludedNamespaces: Record<string, string[]>;
};

const DEFAULT_MAX_DURATION: HumanDuration = { days: 30 };
/**
 * Changes within 2 s share one pass: 100 approvals over 60 s caused 100
 * Beyla rollouts without a window and 25 with it, and approve -> active p95
 * fell from 57 s to 2.3 s, since each rollout restarted the one before
 * (bench:rollout-churn).
 */
const DEFAULT_APPLY_WINDOW_MS = 2_000;
const DEFAULT_EXPIRY_FREQUENCY: HumanDuration = { minutes: 1 };

/**
 * Reads the `tracing` keys of app-config (schema: config.d.ts); the cluster
 * names come from the clusters as `readClusterSettings` read them.
 */
/** The group whose members approve, when `tracing.adminGroup` is not set. */
export const DEFAULT_ADMIN_GROUP = 'group:default/platform-admins';

/** `tracing.adminGroup`, shared by the plugin and its permission policy. */
export function readAdminGroup(config: Config): string {
  return config.getOptionalString('tracing.adminGroup') ?? DEFAULT_ADMIN_GROUP;
}

export function readTracingConfig(
  config: Config,
  clusters: Pick<ClusterSettings, 'name' | 'beyla'>[],
): TracingConfig {
  const tracing = config.getOptionalConfig('tracing');
  const maxDuration = tracing?.has('maxDuration')
    ? readDurationFromConfig(tracing, { key: 'maxDuration' })
    : DEFAULT_MAX_DURATION;
  const expiryFrequency = tracing?.has('expiryFrequency')
    ? readDurationFromConfig(tracing, { key: 'expiryFrequency' })
    : DEFAULT_EXPIRY_FREQUENCY;
  const reconcileFrequency = tracing?.has('reconcileFrequency')
    ? readDurationFromConfig(tracing, { key: 'reconcileFrequency' })
    : { seconds: 30 };
  const traceCheckFrequency = tracing?.has('traceCheck.frequency')
    ? readDurationFromConfig(tracing, { key: 'traceCheck.frequency' })
    : { minutes: 2 };
  const traceCheckGrace = tracing?.has('traceCheck.gracePeriod')
    ? readDurationFromConfig(tracing, { key: 'traceCheck.gracePeriod' })
    : { minutes: 3 };
  return {
    reconcileFrequency,
    applyWindowMs: tracing?.has('applyWindow')
      ? durationToMilliseconds(
          readDurationFromConfig(tracing, { key: 'applyWindow' }),
        )
      : DEFAULT_APPLY_WINDOW_MS,
    traceCheckFrequency,
    traceCheckGraceMs: durationToMilliseconds(traceCheckGrace),
    maxDurationMs: durationToMilliseconds(maxDuration),
    allowSelfApproval:
      tracing?.getOptionalBoolean('allowSelfApproval') ?? false,
    expiryFrequency,
    clusterNames: clusters.map(c => c.name),
    autoApprove: readAutoApproveRules(config, {
      clusterNames: clusters.map(c => c.name),
      maxDurationMs: durationToMilliseconds(maxDuration),
    }),
    adminGroup: readAdminGroup(config),
    beylaExcludedNamespaces: Object.fromEntries(
      clusters.map(c => [c.name, c.beyla.excludedNamespaces]),
    ),
  };
}
