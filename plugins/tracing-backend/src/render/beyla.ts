import { TracingRequest } from '@tracegate/plugin-tracing-common';
import { createHash } from 'node:crypto';
import {
  BeylaSettings,
  DeliverySettings,
  TempoSettings,
} from '../clusters/config';
import { renderBeylaConfig } from './beylaConfig';
import { otlpCaConfigMap, OTLP_CA_CONFIG_MAP, OTLP_CA_KEY } from './tempo';
import { OTLP_HEADERS_ENV } from './redact';
import { KubeObject, MANAGED_BY, MANAGED_BY_LABEL } from './types';

/*
 * Beyla's objects on a cluster: namespace, RBAC, one ConfigMap per config
 * (named by its content, immutable) and the DaemonSet. Beyla reads its config
 * once at start, so the DaemonSet is `OnDelete`: a new config restarts no pod
 * by itself; the reconciler restarts the pods on the nodes it concerns
 * (plan/beylaNodes.ts), and each pod keeps naming the config it started with.
 */

export const BEYLA_NAME = 'beyla';
/** Every Beyla config's ConfigMap is `beyla-config-<hash of its text>`. */
export const BEYLA_CONFIG_PREFIX = 'beyla-config-';
export const BEYLA_CONFIG_KEY = 'beyla-config.yml';
/** On Beyla's config ConfigMaps, to tell them from the others in its namespace. */
export const BEYLA_CONFIG_LABEL = 'tracegate.io/beyla-config';
/**
 * On the DaemonSet's pod template (and so on each pod): a hash of everything
 * but the config's name. A pod with another one runs an older template (an
 * image, a security context) and is restarted.
 */
export const BEYLA_TEMPLATE_ANNOTATION = 'tracegate.io/pod-template';
const CONFIG_DIR = '/etc/beyla/config';
const CA_DIR = '/etc/beyla/otlp-ca';
const CONFIG_VOLUME = 'config';

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

const sha256 = (text: string) =>
  createHash('sha256').update(text).digest('hex');

/** The ConfigMap name of a config text. */
export function beylaConfigMapName(configText: string): string {
  return `${BEYLA_CONFIG_PREFIX}${sha256(configText).slice(0, 12)}`;
}

/** The ConfigMap a Beyla pod (or pod template) reads its config from. */
export function configMapOfBeylaPod(pod: object): string | undefined {
  const volumes = (
    (pod as { spec?: unknown }).spec as
      | { volumes?: Array<{ name: string; configMap?: { name?: string } }> }
      | undefined
  )?.volumes;
  return volumes?.find(v => v.name === CONFIG_VOLUME)?.configMap?.name;
}

/** Every Beyla object for the cluster's ebpf requests (none if there are none). */
export function renderBeyla(
  requests: TracingRequest[],
  beyla: BeylaSettings,
  tempo: TempoSettings,
  delivery: DeliverySettings['type'] = 'apply',
): KubeObject[] {
  if (requests.length === 0) return [];
  const namespace = beyla.namespace;
  const config = renderBeylaConfig(requests, beyla, tempo);
  const configMapName = beylaConfigMapName(config);
  const env = [
    { name: 'BEYLA_CONFIG_PATH', value: `${CONFIG_DIR}/${BEYLA_CONFIG_KEY}` },
  ];
  const volumeMounts = [{ name: CONFIG_VOLUME, mountPath: CONFIG_DIR }];
  const volumes: object[] = [
    { name: CONFIG_VOLUME, configMap: { name: configMapName } },
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
  const podSpec = {
    serviceAccountName: BEYLA_NAME,
    hostPID: true,
    // Room on a full node: the scheduler preempts a lower-priority pod.
    ...(beyla.priorityClassName
      ? { priorityClassName: beyla.priorityClassName }
      : {}),
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
  };
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
      metadata: {
        name: configMapName,
        namespace,
        labels: { ...labels, [BEYLA_CONFIG_LABEL]: 'true' },
      },
      // Named by its content: never changed, only replaced.
      immutable: true,
      data: { [BEYLA_CONFIG_KEY]: config },
    },
    ...(tempo.caPem ? [otlpCaConfigMap(tempo.caPem, namespace, labels)] : []),
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: BEYLA_NAME, namespace, labels },
      spec: {
        selector: { matchLabels: BEYLA_POD_LABELS },
        updateStrategy:
          delivery === 'apply'
            ? // Tracegate restarts the pods a change concerns, no others.
              { type: 'OnDelete' }
            : // Through git Tracegate writes nothing to the cluster: the
              // DaemonSet controller replaces every pod, on as many nodes at
              // once as Tracegate would restart, each new one ready before
              // the old one goes, so no node is left untraced.
              {
                type: 'RollingUpdate',
                rollingUpdate: {
                  maxSurge: beyla.maxParallelRestarts,
                  maxUnavailable: 0,
                },
              },
        template: {
          metadata: {
            labels,
            annotations: {
              [BEYLA_TEMPLATE_ANNOTATION]: templateHash(podSpec),
            },
          },
          spec: podSpec,
        },
      },
    },
  ];
}

/** A hash of a pod spec with its config's name left out. */
function templateHash(podSpec: { volumes: object[] }): string {
  const withoutConfig = {
    ...podSpec,
    volumes: podSpec.volumes.map(v =>
      (v as { name: string }).name === CONFIG_VOLUME
        ? { name: CONFIG_VOLUME }
        : v,
    ),
  };
  return sha256(JSON.stringify(withoutConfig)).slice(0, 16);
}
