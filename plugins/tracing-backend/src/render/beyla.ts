import { TracingRequest } from '@tracegate/plugin-tracing-common';
import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import { BeylaSettings, TempoSettings } from '../clusters/config';
import { KubeObject, MANAGED_BY, MANAGED_BY_LABEL } from './types';

export const BEYLA_NAME = 'beyla';
export const BEYLA_CONFIG_MAP = 'beyla-config';
export const BEYLA_CONFIG_KEY = 'beyla-config.yml';
const CONFIG_DIR = '/etc/beyla/config';

const WORKLOAD_SELECTOR_KEY = {
  Deployment: 'k8s_deployment_name',
  StatefulSet: 'k8s_statefulset_name',
  DaemonSet: 'k8s_daemonset_name',
} as const;

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

const labels = {
  [MANAGED_BY_LABEL]: MANAGED_BY,
  'app.kubernetes.io/name': BEYLA_NAME,
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

/** Beyla >= 2.5: glob matching, one selector per request, its own sampler. */
function instrumentEntry(r: TracingRequest) {
  return {
    k8s_namespace: r.namespace,
    [WORKLOAD_SELECTOR_KEY[r.workload.kind]]: r.workload.name,
    ...(r.podLabels ? { k8s_pod_labels: sortedRecord(r.podLabels) } : {}),
    ...(r.openPorts ? { open_ports: r.openPorts } : {}),
    sampler: samplerOf(r),
  };
}

/** Legacy (<= 2.4) matches by regular expression: anchor and escape. */
function servicesEntry(r: TracingRequest) {
  return {
    name: `${r.namespace}-${r.workload.name}`,
    k8s_namespace: exactRegex(r.namespace),
    [WORKLOAD_SELECTOR_KEY[r.workload.kind]]: exactRegex(r.workload.name),
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
    ? instrumentEntry(request)
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
  const sorted = [...requests].sort(byWorkload);
  const scheme = tempo.insecure ? 'http' : 'https';
  const exporter: Record<string, unknown> = {
    endpoint: `${scheme}://${tempo.otlpEndpoint}`,
    protocol: tempo.protocol,
  };
  const entries = sorted.map(r => beylaDiscoveryEntry(r, beyla));
  let discovery: Record<string, unknown>;
  if (beyla.dialect === 'instrument') {
    discovery = { instrument: entries };
  } else {
    discovery = { services: entries };
    // The legacy dialect has no per-entry sampler: sample as the most
    // demanding request asks, so that none gets fewer traces than it wanted.
    const widest = [...sorted].sort(
      (a, b) => b.sampling.ratio - a.sampling.ratio,
    )[0];
    exporter.sampler = samplerOf(widest);
  }
  return {
    discovery,
    attributes: { kubernetes: { enable: true } },
    otel_traces_export: exporter,
  };
}

/** The text of `beyla-config.yml` for the cluster's ebpf requests. */
export function renderBeylaConfig(
  requests: TracingRequest[],
  beyla: BeylaSettings,
  tempo: TempoSettings,
): string {
  return stringify(beylaConfig(requests, beyla, tempo), { lineWidth: 0 });
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
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: BEYLA_NAME, namespace, labels },
      spec: {
        selector: { matchLabels: { 'app.kubernetes.io/name': BEYLA_NAME } },
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
                env: [
                  {
                    name: 'BEYLA_CONFIG_PATH',
                    value: `${CONFIG_DIR}/${BEYLA_CONFIG_KEY}`,
                  },
                ],
                securityContext: beyla.privileged
                  ? { privileged: true }
                  : {
                      runAsUser: 0,
                      capabilities: { add: BEYLA_CAPABILITIES, drop: ['ALL'] },
                    },
                volumeMounts: [{ name: 'config', mountPath: CONFIG_DIR }],
              },
            ],
            volumes: [
              { name: 'config', configMap: { name: BEYLA_CONFIG_MAP } },
            ],
          },
        },
      },
    },
  ];
}
