/**
 * What a `beyla-config.yml` Tracegate rendered selects, per target: read back
 * from its text, so that the config a Beyla pod started with (its ConfigMap)
 * can be compared with the desired one target by target. Pure; reads only
 * what `beylaConfig.ts` writes.
 */
import { parse } from 'yaml';
import { WORKLOAD_SELECTOR_KEYS } from './beylaConfig';

/** `<namespace>/<kind>/<name>` of a workload. */
export function targetKey(target: {
  namespace: string;
  workload: { kind: string; name: string };
}): string {
  return `${target.namespace}/${target.workload.kind}/${target.workload.name}`;
}

/** The targets a config selects, and what applies to all of them. */
export type BeylaSelections = {
  /** Target key → how its entry selects and samples it (a comparable text). */
  targets: Map<string, string>;
  /** Exporter, attributes and exclusions: a change reaches every node. */
  global: string;
};

/** One discovery entry as a config holds it. */
export type Entry = Record<string, unknown> & {
  k8s_namespace?: string;
  k8s_pod_labels?: Record<string, string>;
  open_ports?: string | number;
  sampler?: unknown;
};

const KIND_OF_KEY = Object.fromEntries(
  Object.entries(WORKLOAD_SELECTOR_KEYS).map(([kind, key]) => [key, kind]),
);

/** `^shop$` → `shop` (the legacy dialect's exact regular expressions). */
const unanchor = (text: string) =>
  text.replace(/^\^/, '').replace(/\$$/, '').replace(/\\(.)/g, '$1');

/** `{a,b}` → `[a, b]`; `a` → `[a]` (DNS names hold no glob characters). */
const alternatives = (glob: string) =>
  glob.startsWith('{') && glob.endsWith('}')
    ? glob.slice(1, -1).split(',')
    : [glob];

/** The keys of the targets one discovery entry names. */
export function entryTargets(entry: Entry, legacy: boolean): string[] {
  const kindKey = Object.keys(entry).find(k => KIND_OF_KEY[k]);
  if (!kindKey || typeof entry.k8s_namespace !== 'string') return [];
  const namespace = legacy
    ? unanchor(entry.k8s_namespace)
    : entry.k8s_namespace;
  const value = String(entry[kindKey]);
  const names = legacy ? [unanchor(value)] : alternatives(value);
  return names.map(name => `${namespace}/${KIND_OF_KEY[kindKey]}/${name}`);
}

/** JSON as Tracegate writes it (fast), else YAML (configs of older Tracegates). */
function readConfig(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return parse(text);
  }
}

/** The selections of a rendered config. */
export function parseBeylaSelections(text: string): BeylaSelections {
  const config = (readConfig(text) ?? {}) as {
    discovery?: Record<string, unknown>;
    otel_traces_export?: { sampler?: unknown } & Record<string, unknown>;
    attributes?: unknown;
  };
  const discovery = config.discovery ?? {};
  const legacy = !discovery.instrument;
  const entries = (discovery.instrument ?? discovery.services ?? []) as Entry[];
  const { sampler: common, ...exporter } = config.otel_traces_export ?? {};
  const targets = new Map<string, string>();
  for (const entry of entries) {
    const keys = entryTargets(entry, legacy);
    if (!keys.length) continue;
    const selection = JSON.stringify([
      entry.k8s_pod_labels ?? null,
      entry.open_ports !== undefined ? String(entry.open_ports) : null,
      entry.sampler ?? common ?? null,
      entry.name ?? null,
    ]);
    for (const key of keys) targets.set(key, selection);
  }
  const { instrument, services, ...exclusions } = discovery;
  return {
    targets,
    global: JSON.stringify([exporter, config.attributes ?? null, exclusions]),
  };
}
