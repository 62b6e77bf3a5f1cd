/**
 * `beyla-config.yml`: what Beyla instruments and how it samples, for a
 * cluster's eBPF requests. Pure. Compact enough for 20,000 workloads in one
 * ConfigMap (1 MiB): in the `instrument` dialect (Beyla >= 2.5) the targets
 * of one namespace and kind that share labels, ports and sampler are one
 * entry (`k8s_deployment_name: "{cart,checkout}"`, a glob alternation), each
 * entry is one line, and the most common sampler is given once
 * (`otel_traces_export.sampler`), which Beyla applies to every entry without
 * its own (OBI `tracesgen.GroupSpans`). What Beyla reads back is checked
 * against Beyla's own loader and matcher by the oracle (src/beyla).
 */
import {
  sampledFraction,
  TracingRequest,
  WorkloadKind,
} from '@tracegate/plugin-tracing-common';
import {
  BEYLA_DEFAULT_EXCLUDED_CONTAINERS,
  BEYLA_DEFAULT_EXCLUDED_EXE_PATHS,
} from '../clusters/beylaVersion';
import { BeylaSettings, TempoSettings } from '../clusters/config';

/** Beyla's discovery key for each workload kind. */
export const WORKLOAD_SELECTOR_KEYS: Record<WorkloadKind, string> = {
  Deployment: 'k8s_deployment_name',
  StatefulSet: 'k8s_statefulset_name',
  DaemonSet: 'k8s_daemonset_name',
};

/** A sampler as Beyla reads it (`arg` is a string). */
export type BeylaSampler = { name: string; arg: string };

/** Beyla's discovery key for the request's workload kind. */
function workloadSelectorKey(r: TracingRequest): string {
  const key = WORKLOAD_SELECTOR_KEYS[r.workload.kind as WorkloadKind];
  // The schema pairs eBPF with workload kinds only; never render a guess.
  if (!key) throw new Error(`Beyla cannot select a ${r.workload.kind}`);
  return key;
}

export const escapeRegex = (text: string) =>
  text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const exactRegex = (text: string) => `^${escapeRegex(text)}$`;
const GLOB_TO_REGEX: Record<string, string> = { '*': '.*', '?': '.' };
const globToRegex = (glob: string) =>
  `^${glob
    .split('')
    .map(c => GLOB_TO_REGEX[c] ?? escapeRegex(c))
    .join('')}$`;

/** Code-point order: the same on every machine, unlike locale collation. */
function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

const workloadKey = (r: TracingRequest) =>
  [r.namespace, r.workload.kind, r.workload.name, r.id].join('\u0000');

/** The requests in the order the config lists their targets. */
export function inConfigOrder(requests: TracingRequest[]): TracingRequest[] {
  return requests
    .map(r => ({ r, key: workloadKey(r) }))
    .sort((a, b) => compareText(a.key, b.key))
    .map(({ r }) => r);
}

/** Same requests, same order, same bytes. */
function byWorkload(a: TracingRequest, b: TracingRequest): number {
  return compareText(workloadKey(a), workloadKey(b));
}

/** Beyla's ratio argument is a string ("0.5"). */
export const samplerOf = (r: TracingRequest): BeylaSampler => ({
  name: r.sampling.sampler,
  arg: String(r.sampling.ratio),
});

/**
 * Where Beyla has one sampler for all entries: the most demanding request's,
 * so that none gets fewer traces than it asked for.
 */
export function sharedSampler(requests: TracingRequest[]): TracingRequest {
  let best = requests[0];
  for (const r of requests) {
    const diff = sampledFraction(r) - sampledFraction(best);
    if (diff > 0 || (diff === 0 && byWorkload(r, best) < 0)) best = r;
  }
  return best;
}

const samplerKey = (r: TracingRequest) =>
  `${r.sampling.sampler}\u0000${r.sampling.ratio}`;

/**
 * The sampler the exporter gives every entry without its own: the shared
 * one where Beyla has no entry sampler, else the most common one (the
 * fewest entries then carry their own).
 */
export function exporterSampler(
  requests: TracingRequest[],
  beyla: Pick<BeylaSettings, 'perEntrySampler'>,
): BeylaSampler | undefined {
  if (!requests.length) return undefined;
  if (!beyla.perEntrySampler) return samplerOf(sharedSampler(requests));
  const counts = new Map<string, { sampler: BeylaSampler; n: number }>();
  for (const r of requests) {
    const key = samplerKey(r);
    const count = counts.get(key) ?? { sampler: samplerOf(r), n: 0 };
    count.n += 1;
    counts.set(key, count);
  }
  const [, best] = [...counts.entries()].sort(
    ([a, x], [b, y]) => y.n - x.n || compareText(a, b),
  )[0];
  return best.sampler;
}

function sortedRecord(record: Record<string, string>) {
  return Object.fromEntries(
    Object.entries(record).sort(([a], [b]) => compareText(a, b)),
  );
}

/**
 * The `name` of a target's discovery entry, which Beyla then gives its
 * spans: only the legacy dialect renders one.
 */
export function discoveryEntryName(
  target: Pick<TracingRequest, 'namespace' | 'workload'>,
  beyla: Pick<BeylaSettings, 'dialect'>,
): string | undefined {
  return beyla.dialect === 'services'
    ? `${target.namespace}-${target.workload.name}`
    : undefined;
}

/**
 * Beyla >= 2.5 (globs): the requests of one namespace and kind with the same
 * labels, ports and entry sampler as one entry, their names alternated.
 */
function instrumentEntries(
  requests: TracingRequest[],
  beyla: BeylaSettings,
  common: BeylaSampler | undefined,
) {
  const groups = new Map<
    string,
    { first: TracingRequest; sampler?: BeylaSampler; names: Set<string> }
  >();
  const commonKey = common && `${common.name}\u0000${Number(common.arg)}`;
  for (const r of requests) {
    const sampling = samplerKey(r);
    const own = beyla.perEntrySampler && sampling !== commonKey;
    const labels = r.podLabels ? JSON.stringify(sortedRecord(r.podLabels)) : '';
    const key = `${r.namespace}\u0000${r.workload.kind}\u0000${labels}\u0000${
      r.openPorts ?? ''
    }\u0000${own ? sampling : ''}`;
    let group = groups.get(key);
    if (!group) {
      group = {
        first: r,
        sampler: own ? samplerOf(r) : undefined,
        names: new Set(),
      };
      groups.set(key, group);
    }
    group.names.add(r.workload.name);
  }
  // Same requests, same bytes: groups and names in code-point order.
  return [...groups.entries()]
    .sort(([a], [b]) => compareText(a, b))
    .map(([, { first, sampler, names }]) => ({
      k8s_namespace: first.namespace,
      // DNS names hold no glob characters: the alternation is exact.
      [workloadSelectorKey(first)]:
        names.size === 1
          ? [...names][0]
          : `{${[...names].sort(compareText).join(',')}}`,
      ...(first.podLabels
        ? { k8s_pod_labels: sortedRecord(first.podLabels) }
        : {}),
      ...(first.openPorts ? { open_ports: first.openPorts } : {}),
      ...(sampler ? { sampler } : {}),
    }));
}

/** Legacy (<= 2.4) matches by regular expression, one entry per target. */
function servicesEntry(r: TracingRequest) {
  return {
    name: discoveryEntryName(r, { dialect: 'services' }),
    k8s_namespace: exactRegex(r.namespace),
    [workloadSelectorKey(r)]: exactRegex(r.workload.name),
    ...(r.podLabels
      ? {
          k8s_pod_labels: Object.fromEntries(
            Object.entries(sortedRecord(r.podLabels)).map(([k, v]) => [
              k,
              globToRegex(v),
            ]),
          ),
        }
      : {}),
    ...(r.openPorts ? { open_ports: r.openPorts } : {}),
  };
}

/** The discovery entries of a Beyla config, whichever the dialect. */
export function discoveryEntriesOf(config: unknown): unknown[] {
  const discovery = (config as { discovery?: Record<string, unknown> })
    ?.discovery;
  const entries = discovery?.instrument ?? discovery?.services;
  return Array.isArray(entries) ? entries : [];
}

/** `beyla-config.yml` for the cluster's ebpf requests, as data. */
export function beylaConfig(
  requests: TracingRequest[],
  beyla: BeylaSettings,
  tempo: TempoSettings,
): Record<string, unknown> {
  const scheme = tempo.insecure ? 'http' : 'https';
  const sampler = exporterSampler(requests, beyla);
  const exporter: Record<string, unknown> = {
    endpoint: `${scheme}://${tempo.otlpEndpoint}`,
    protocol: tempo.protocol,
    ...(sampler ? { sampler } : {}),
  };
  const discovery: Record<string, unknown> =
    beyla.dialect === 'instrument'
      ? { instrument: instrumentEntries(requests, beyla, sampler) }
      : { services: inConfigOrder(requests).map(servicesEntry) };
  Object.assign(discovery, defaultExclusionOverride(beyla));
  return {
    discovery,
    attributes: { kubernetes: { enable: true } },
    otel_traces_export: exporter,
  };
}

/**
 * Beyla's default exclusions without the namespaces the platform allows
 * (`beyla.allowExcludedNamespaces`): setting the key replaces Beyla's
 * built-in list, so the rest of it is restated.
 */
function defaultExclusionOverride(beyla: BeylaSettings) {
  if (!beyla.allowExcludedNamespaces.length) return {};
  const namespaces = beyla.excludedNamespaces;
  if (beyla.dialect === 'services') {
    return {
      default_exclude_services: [
        {
          exe_path:
            '(?:^|/)(beyla$|alloy$|prometheus-config-reloader$|otelcol[^/]*$)',
        },
        ...(namespaces.length
          ? [{ k8s_namespace: namespaces.map(exactRegex).join('|') }]
          : []),
      ],
    };
  }
  return {
    default_exclude_instrument: [
      { exe_path: BEYLA_DEFAULT_EXCLUDED_EXE_PATHS },
      ...(namespaces.length
        ? [{ k8s_namespace: `{${namespaces.join(',')}}` }]
        : []),
      { k8s_container_name: BEYLA_DEFAULT_EXCLUDED_CONTAINERS },
    ],
  };
}

/** The text of `beyla-config.yml` for the cluster's ebpf requests. */
export function renderBeylaConfig(
  requests: TracingRequest[],
  beyla: BeylaSettings,
  tempo: TempoSettings,
): string {
  const config = beylaConfig(requests, beyla, tempo);
  const discovery = config.discovery as Record<string, unknown>;
  const listKey = beyla.dialect === 'instrument' ? 'instrument' : 'services';
  const entries = discovery[listKey] as unknown[];
  // JSON, which YAML reads as written (its quotes keep `on` and `0123`
  // strings in YAML 1.1 as in 1.2), serialised in a few milliseconds for
  // 20,000 targets. The entry list is written into the document's empty one,
  // an entry per line with the comma leading, so that a diff shows only the
  // entries that change (one added at the end does not touch the line
  // before). Every value is written by JSON.stringify; lines only separate
  // whole entries.
  const skeleton = JSON.stringify({
    ...config,
    discovery: { ...discovery, [listKey]: [] },
  });
  const list = `${JSON.stringify(listKey)}:[`;
  const at = skeleton.indexOf(list) + list.length;
  return `${skeleton.slice(0, at)}\n${entries
    .map(entry => JSON.stringify(entry))
    .join('\n,')}\n${skeleton.slice(at)}\n`;
}
