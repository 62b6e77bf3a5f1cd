import { Config, readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds, HumanDuration } from '@backstage/types';

/** @internal */
export type TracingConfig = {
  maxDurationMs: number;
  allowSelfApproval: boolean;
  expiryFrequency: HumanDuration;
  reconcileFrequency: HumanDuration;
  clusterNames: string[];
};

const DEFAULT_MAX_DURATION: HumanDuration = { days: 30 };
const DEFAULT_EXPIRY_FREQUENCY: HumanDuration = { minutes: 1 };

/** Reads the `tracing` keys of app-config (schema: config.d.ts). */
export function readTracingConfig(config: Config): TracingConfig {
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
  return {
    reconcileFrequency,
    maxDurationMs: durationToMilliseconds(maxDuration),
    allowSelfApproval:
      tracing?.getOptionalBoolean('allowSelfApproval') ?? false,
    expiryFrequency,
    clusterNames: (tracing?.getOptionalConfigArray('clusters') ?? []).map(c =>
      c.getString('name'),
    ),
  };
}
