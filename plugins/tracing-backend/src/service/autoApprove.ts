import { Config, readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds } from '@backstage/types';
import {
  sampledFraction,
  TRACING_METHODS,
  TracingMethod,
  TracingRequest,
} from '@tracegate/plugin-tracing-common';

/** The actor of an approval by a `tracing.autoApprove` rule. */
export const POLICY_ACTOR = 'tracegate:policy';

/** One `tracing.autoApprove` rule: every condition it sets must hold. */
export type AutoApproveRule = {
  name: string;
  /** Cluster names or globs (`dev-*`); any cluster when absent. */
  clusters?: string[];
  methods?: TracingMethod[];
  /** The largest fraction of traces the sampler may keep (0–1). */
  maxRatio: number;
  /** The longest time from filing to `expiresAt`. */
  maxDurationMs: number;
  /** The entity's `spec.lifecycle`, e.g. `experimental`. */
  lifecycles?: string[];
};

/**
 * Reads `tracing.autoApprove`; a rule that cannot be right stops the
 * backend with a message naming it (no rule, no auto-approval).
 */
export function readAutoApproveRules(
  config: Config,
  options: { clusterNames: string[]; maxDurationMs: number },
): AutoApproveRule[] {
  const entries = config.getOptionalConfigArray('tracing.autoApprove') ?? [];
  const names = new Set<string>();
  return entries.map((entry, i) => {
    const name = entry.getOptionalString('name');
    const key = `tracing.autoApprove[${name ?? i}]`;
    const fail = (field: string, message: string) =>
      new Error(`${key}.${field}: ${message}`);
    if (!name || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
      throw fail('name', 'required: letters, digits, ".", "_" or "-"');
    }
    if (names.has(name)) throw fail('name', 'another rule has this name');
    names.add(name);
    const clusters = entry.getOptionalStringArray('clusters');
    for (const pattern of clusters ?? []) {
      if (!options.clusterNames.some(c => globMatches(pattern, c))) {
        throw fail(
          'clusters',
          `${pattern} matches no configured cluster (${
            options.clusterNames.join(', ') || 'none'
          })`,
        );
      }
    }
    const methods = entry.getOptionalStringArray('methods');
    for (const method of methods ?? []) {
      if (!TRACING_METHODS.includes(method as TracingMethod)) {
        throw fail(
          'methods',
          `${method} is not one of ${TRACING_METHODS.join(', ')}`,
        );
      }
    }
    if (!entry.has('maxRatio')) throw fail('maxRatio', 'required (0 to 1)');
    const maxRatio = entry.getNumber('maxRatio');
    if (!(maxRatio >= 0 && maxRatio <= 1)) {
      throw fail('maxRatio', `must be between 0 and 1 (got ${maxRatio})`);
    }
    if (!entry.has('maxDuration')) {
      throw fail('maxDuration', 'required, e.g. { days: 1 }');
    }
    const maxDurationMs = durationToMilliseconds(
      readDurationFromConfig(entry, { key: 'maxDuration' }),
    );
    if (!(maxDurationMs > 0) || maxDurationMs > options.maxDurationMs) {
      throw fail(
        'maxDuration',
        'must be more than 0 and at most tracing.maxDuration',
      );
    }
    const lifecycles = entry.getOptionalStringArray('lifecycles');
    return {
      name,
      maxRatio,
      maxDurationMs,
      ...(clusters ? { clusters } : {}),
      ...(methods ? { methods: methods as TracingMethod[] } : {}),
      ...(lifecycles ? { lifecycles } : {}),
    };
  });
}

/**
 * The first rule a request matches, or undefined. Only a target verified as
 * the entity's own is approved by a rule: anything a person would have to
 * look at twice goes to the queue.
 */
export function matchingRule(
  rules: AutoApproveRule[],
  request: TracingRequest,
  lifecycle: string | undefined,
  now: number,
): AutoApproveRule | undefined {
  const check = request.targetCheck;
  if (check?.result !== 'verified' || check.owned !== true) return undefined;
  const durationMs = Date.parse(request.expiresAt) - now;
  return rules.find(
    rule =>
      (!rule.clusters ||
        rule.clusters.some(p => globMatches(p, request.cluster))) &&
      (!rule.methods || rule.methods.includes(request.method)) &&
      sampledFraction(request) <= rule.maxRatio &&
      durationMs <= rule.maxDurationMs &&
      (!rule.lifecycles ||
        (lifecycle !== undefined && rule.lifecycles.includes(lifecycle))),
  );
}

/** `*` any run of characters, `?` one; everything else literal. */
function globMatches(pattern: string, value: string): boolean {
  const regex = pattern
    .split('')
    .map(ch => {
      if (ch === '*') return '.*';
      if (ch === '?') return '.';
      return ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${regex}$`).test(value);
}
