import {
  sampledFraction,
  TracingRequest,
  WorkloadKind,
} from '@tracegate/plugin-tracing-common';
import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import {
  BEYLA_DEFAULT_EXCLUDED_CONTAINERS,
  BEYLA_DEFAULT_EXCLUDED_EXE_PATHS,
} from '../clusters/beylaVersion';
import { BeylaSettings, TempoSettings } from '../clusters/config';
import { otlpCaConfigMap, OTLP_CA_CONFIG_MAP, OTLP_CA_KEY } from './tempo';
import { OTLP_HEADERS_ENV } from './redact';
import { KubeObject, MANAGED_BY, MANAGED_BY_LABEL } from './types';

export const BEYLA_NAME = 'beyla';
export const BEYLA_CONFIG_MAP = 'beyla-config';
export const BEYLA_CONFIG_KEY = 'beyla-config.yml';
const CONFIG_DIR = '/etc/beyla/config';
const CA_DIR = '/etc/beyla/otlp-ca';

const WORKLOAD_SELECTOR_KEYS: Record<WorkloadKind, string> = {
  Deployment: 'k8s_deployment_name',
  StatefulSet: 'k8s_statefulset_name',
  DaemonSet: 'k8s_daemonset_name',
};

/** Beyla's discovery key for the request's workload kind. */
function workloadSelectorKey(r: TracingRequest): string {
  const key = WORKLOAD_SELECTOR_KEYS[r.workload.kind as WorkloadKind];
  // The schema pairs eBPF with workload kinds only; never render a guess.
  if (!key) throw new Error(`Beyla cannot select a ${r.workload.kind}`);
  return key;
}

// Beyla's unprivileged alternative (REFERENCE.md, security context).
const BEYLA_CAPABILITIES = [
  'BPF',
  'SYS_PTRACE',
  'NET_RAW',
  'CHECKPOINT_RESTORE',
  'DAC_READ_SEARCH',
  'PERFMON',
  'SYS_ADMIN',
];

const BEYLA_POD_LABELS = { 'app.kubernetes.io/name': BEYLA_NAME };

/** Selects the pods of Beyla's DaemonSet (its `matchLabels`). */
export const BEYLA_POD_SELECTOR = `app.kubernetes.io/name=${BEYLA_NAME}`;

const labels = {
  [MANAGED_BY_LABEL]: MANAGED_BY,
  ...BEYLA_POD_LABELS,
};

const escapeRegex = (text: string) =>
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

/** The requests in the order the config lists their entries. */
export function inConfigOrder(requests: TracingRequest[]): TracingRequest[] {
  return [...requests].sort(byWorkload);
}

/** Same requests, same order, same bytes. */
function byWorkload(a: TracingRequest, b: TracingRequest): number {
  const key = (r: TracingRequest) =>
    [r.namespace, r.workload.kind, r.workload.name, r.id].join('\u0000');
  return compareText(key(a), key(b));
}

/** Beyla's ratio argument is a string ("0.5"). */
const samplerOf = (r: TracingRequest) => ({
  name: r.sampling.sampler,
  arg: String(r.sampling.ratio),
});

/**
 * Where Beyla has one sampler for all entries: the most demanding request's,
 * so that none gets fewer traces than it asked for.
 */
export function sharedSampler(requests: TracingRequest[]): TracingRequest {
  return [...requests].sort(
    (a, b) => sampledFraction(b) - sampledFraction(a) || byWorkload(a, b),
  )[0];
}

/** Beyla >= 2.5: glob matching, one selector per request. */
function instrumentEntry(r: TracingRequest, beyla: BeylaSettings) {
  return {
    k8s_namespace: r.namespace,
    [workloadSelectorKey(r)]: r.workload.name,
    ...(r.podLabels ? { k8s_pod_labels: sortedRecord(r.podLabels) } : {}),
    ...(r.openPorts ? { open_ports: r.openPorts } : {}),
    // 2.5.0-2.5.2 stop at start-up on a sampler inside an entry.
    ...(beyla.perEntrySampler ? { sampler: samplerOf(r) } : {}),
  };
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

/** Legacy (<= 2.4) matches by regular expression: anchor and escape. */
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

function sortedRecord(record: Record<string, string>) {
  return Object.fromEntries(
    Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1)),
  );
}

/** A request's discovery entry, in the cluster's dialect. */
export function beylaDiscoveryEntry(
  request: TracingRequest,
  beyla: BeylaSettings,
): Record<string, unknown> {
  return beyla.dialect === 'instrument'
    ? instrumentEntry(request, beyla)
    : servicesEntry(request);
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
  const sorted = inConfigOrder(requests);
  const scheme = tempo.insecure ? 'http' : 'https';
  const exporter: Record<string, unknown> = {
    endpoint: `${scheme}://${tempo.otlpEndpoint}`,
    protocol: tempo.protocol,
  };
  if (!beyla.perEntrySampler && sorted.length) {
    exporter.sampler = samplerOf(sharedSampler(sorted));
  }
  const entries = sorted.map(r => beylaDiscoveryEntry(r, beyla));
  const discovery: Record<string, unknown> =
    beyla.dialect === 'instrument'
      ? { instrument: entries }
      : { services: entries };
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
  // Quoted wherever YAML 1.1 would read a scalar differently (`on`, `0123`,
  // `e-0123`): Beyla's YAML decoder sees the strings the request holds.
  return stringify(beylaConfig(requests, beyla, tempo), {
    lineWidth: 0,
    compat: 'yaml-1.1',
  });
}

/** Every Beyla object for the cluster's ebpf requests (none if there are none). */
export function renderBeyla(
  requests: TracingRequest[],
  beyla: BeylaSettings,
  tempo: TempoSettings,
): KubeObject[] {
  if (requests.length === 0) return [];
  const namespace = beyla.namespace;
  const config = renderBeylaConfig(requests, beyla, tempo);
  const env = [
    { name: 'BEYLA_CONFIG_PATH', value: `${CONFIG_DIR}/${BEYLA_CONFIG_KEY}` },
  ];
  const volumeMounts = [{ name: 'config', mountPath: CONFIG_DIR }];
  const volumes: object[] = [
    { name: 'config', configMap: { name: BEYLA_CONFIG_MAP } },
  ];
  const headers = Object.entries(tempo.headers);
  if (headers.length) {
    // Beyla's YAML has no exporter headers; the OTLP exporter reads this.
    env.push({
      name: OTLP_HEADERS_ENV,
      value: headers.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join(','),
    });
  }
  if (tempo.caPem) {
    env.push({
      name: 'OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE',
      value: `${CA_DIR}/${OTLP_CA_KEY}`,
    });
    volumeMounts.push({ name: 'otlp-ca', mountPath: CA_DIR });
    volumes.push({ name: 'otlp-ca', configMap: { name: OTLP_CA_CONFIG_MAP } });
  }
  const checksum = createHash('sha256').update(config).digest('hex');
  const clusterWideName = `tracegate-${BEYLA_NAME}`;
  return [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: namespace,
        labels: {
          ...labels,
          // Beyla needs hostPID and privileges: the namespace must allow them.
          'pod-security.kubernetes.io/enforce': 'privileged',
          'pod-security.kubernetes.io/audit': 'privileged',
          'pod-security.kubernetes.io/warn': 'privileged',
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: BEYLA_NAME, namespace, labels },
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: clusterWideName, labels },
      rules: [
        {
          apiGroups: ['apps'],
          resources: ['replicasets'],
          verbs: ['list', 'watch'],
        },
        {
          apiGroups: [''],
          resources: ['pods', 'services', 'nodes'],
          verbs: ['list', 'watch', 'get'],
        },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: clusterWideName, labels },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: clusterWideName,
      },
      subjects: [{ kind: 'ServiceAccount', name: BEYLA_NAME, namespace }],
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: BEYLA_CONFIG_MAP, namespace, labels },
      data: { [BEYLA_CONFIG_KEY]: config },
    },
    ...(tempo.caPem ? [otlpCaConfigMap(tempo.caPem, namespace, labels)] : []),
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: BEYLA_NAME, namespace, labels },
      spec: {
        selector: { matchLabels: BEYLA_POD_LABELS },
        template: {
          metadata: {
            labels,
            // A config change rolls the pods: Beyla does not reload its file.
            annotations: { 'checksum/config': checksum },
          },
          spec: {
            serviceAccountName: BEYLA_NAME,
            hostPID: true,
            nodeSelector: { 'kubernetes.io/os': 'linux' },
            tolerations: [{ operator: 'Exists' }],
            containers: [
              {
                name: BEYLA_NAME,
                image: beyla.image,
                env,
                securityContext: beyla.privileged
                  ? { privileged: true }
                  : {
                      runAsUser: 0,
                      // As Beyla's Helm chart sets it when unprivileged.
                      readOnlyRootFilesystem: true,
                      capabilities: { add: BEYLA_CAPABILITIES, drop: ['ALL'] },
                    },
                volumeMounts,
              },
            ],
            volumes,
          },
        },
      },
    },
  ];
}
