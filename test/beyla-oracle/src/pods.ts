/**
 * The pods the oracle asks Beyla about: running Pods as the API server returns
 * them (owner references, labels, annotations, container env, container
 * statuses with ids), each with the processes its containers run. They cover
 * every rule of Beyla's service naming (env, annotation, Helm labels, top
 * owner), every workload kind, and the shapes Tracegate's selection must tell
 * apart (same name in another namespace or of another kind, labels, ports,
 * YAML-tricky names, a namespace Beyla excludes by default).
 */

/** One environment variable of a container spec. */
export type EnvVar = {
  name: string;
  value?: string;
  valueFrom?: { fieldRef: { fieldPath: string } };
};

/** The parts of a container spec the oracle's pods use. */
export type ContainerSpec = {
  name: string;
  image: string;
  env?: EnvVar[];
  ports?: Array<{ containerPort: number }>;
};

/** A Pod as the API server returns it, with what Beyla reads of it. */
export type OraclePod = {
  apiVersion: 'v1';
  kind: 'Pod';
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: Array<{
      apiVersion: string;
      kind: string;
      name: string;
      uid: string;
      controller: boolean;
    }>;
    creationTimestamp: string;
  };
  spec: { nodeName: string; containers: ContainerSpec[] };
  status: {
    phase: 'Running';
    hostIP: string;
    podIP: string;
    podIPs: Array<{ ip: string }>;
    containerStatuses: Array<{
      name: string;
      containerID: string;
      ready: boolean;
      image: string;
    }>;
  };
};

/** One process of a pod, as Beyla's process watcher sees it. */
export type OracleProcess = {
  container: string;
  exe: string;
  /** Ports the process listens on. */
  ports: number[];
  /** Its environment at run time (kubelet has expanded `$(VAR)`). */
  env: Record<string, string>;
};

/** A pod of the table. */
export type OraclePodCase = {
  id: string;
  pod: OraclePod;
  processes: OracleProcess[];
};

type Owner =
  | { kind: 'Deployment'; name: string; replicaSetHash?: string }
  | { kind: 'ReplicaSet' | 'StatefulSet' | 'DaemonSet' | 'Job'; name: string }
  | { kind: 'none' };

type ContainerShape = {
  name: string;
  port?: number;
  env?: EnvVar[];
  /** Run-time values of env entries that refer to others (`$(POD_NAME)`). */
  runtimeEnv?: Record<string, string>;
};

const OWNER_API: Record<string, string> = {
  ReplicaSet: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  Job: 'batch/v1',
};

/** A deterministic id from text: the same pods, the same bytes. */
function hexOf(text: string, length: number): string {
  let hash = 2166136261;
  let out = '';
  while (out.length < length) {
    for (const char of `${text}/${out.length}`) {
      hash ^= char.charCodeAt(0);
      hash = Math.imul(hash, 16777619) >>> 0;
    }
    out += hash.toString(16).padStart(8, '0');
  }
  return out.slice(0, length);
}

/** A running pod of `owner` with the given labels, annotations and containers. */
export function oraclePod(options: {
  id: string;
  namespace: string;
  owner: Owner;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  containers: ContainerShape[];
  node?: string;
}): OraclePodCase {
  const { id, namespace, owner } = options;
  let controller: { kind: string; name: string } | undefined;
  let podName: string;
  const labels = { ...options.labels };
  if (owner.kind === 'Deployment') {
    const hash = owner.replicaSetHash ?? hexOf(id, 9).replace(/^\d/, 'd');
    controller = { kind: 'ReplicaSet', name: `${owner.name}-${hash}` };
    labels['pod-template-hash'] = hash;
    podName = `${controller.name}-${hexOf(`${id}-pod`, 5)}`;
  } else if (owner.kind === 'StatefulSet') {
    controller = owner;
    podName = `${owner.name}-0`;
  } else if (owner.kind === 'none') {
    podName = id;
  } else {
    controller = owner;
    podName = `${owner.name}-${hexOf(`${id}-pod`, 5)}`;
  }
  const ip = `10.244.${parseInt(hexOf(id, 2), 16) % 250}.${
    (parseInt(hexOf(id, 4).slice(2), 16) % 250) + 2
  }`;
  return {
    id,
    pod: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: podName,
        namespace,
        uid: `${hexOf(`${id}-uid`, 8)}-0000-4000-8000-${hexOf(id, 12)}`,
        ...(Object.keys(labels).length ? { labels } : {}),
        ...(options.annotations ? { annotations: options.annotations } : {}),
        ...(controller
          ? {
              ownerReferences: [
                {
                  apiVersion: OWNER_API[controller.kind],
                  kind: controller.kind,
                  name: controller.name,
                  uid: `${hexOf(controller.name, 8)}-0000-4000-8000-${hexOf(
                    `${namespace}/${controller.name}`,
                    12,
                  )}`,
                  controller: true,
                },
              ],
            }
          : {}),
        creationTimestamp: '2026-12-01T10:00:00Z',
      },
      spec: {
        nodeName: options.node ?? 'node-a',
        containers: options.containers.map(c => ({
          name: c.name,
          image: `registry.example/${c.name}:1`,
          ...(c.env ? { env: c.env } : {}),
          ...(c.port ? { ports: [{ containerPort: c.port }] } : {}),
        })),
      },
      status: {
        phase: 'Running',
        hostIP: '172.18.0.2',
        podIP: ip,
        podIPs: [{ ip }],
        containerStatuses: options.containers.map(c => ({
          name: c.name,
          containerID: `containerd://${hexOf(`${id}/${c.name}`, 64)}`,
          ready: true,
          image: `registry.example/${c.name}:1`,
        })),
      },
    },
    processes: options.containers.map(c => ({
      container: c.name,
      exe: `/app/${c.name}`,
      ports: c.port ? [c.port] : [],
      env: {
        ...Object.fromEntries(
          (c.env ?? [])
            .filter(e => e.value !== undefined)
            .map(e => [e.name, e.value!]),
        ),
        ...c.runtimeEnv,
      },
    })),
  };
}

const app = (name: string, port = 8080): ContainerShape => ({ name, port });
const helm = (release: string, chart: string) => ({
  'app.kubernetes.io/instance': release,
  'app.kubernetes.io/name': chart,
  'app.kubernetes.io/managed-by': 'Helm',
  'helm.sh/chart': `${chart}-1.2.3`,
});

/** The table (ids are stable: fixtures are keyed by them). */
export const ORACLE_PODS: OraclePodCase[] = [
  // Naming: the top owner, when nothing else names it.
  oraclePod({
    id: 'deployment-plain',
    namespace: 'shop',
    owner: { kind: 'Deployment', name: 'checkout' },
    labels: { app: 'checkout' },
    containers: [app('checkout')],
  }),
  // A Helm release: app.kubernetes.io/instance wins over the name label.
  oraclePod({
    id: 'deployment-helm',
    namespace: 'shop',
    owner: { kind: 'Deployment', name: 'cart' },
    labels: { app: 'cart', ...helm('shop-cart', 'cart') },
    containers: [app('cart')],
  }),
  oraclePod({
    id: 'deployment-name-label',
    namespace: 'shop',
    owner: { kind: 'Deployment', name: 'payments-v2' },
    labels: { 'app.kubernetes.io/name': 'payments' },
    containers: [app('payments')],
  }),
  // An empty instance label: present, so the name label is not tried.
  oraclePod({
    id: 'deployment-empty-instance',
    namespace: 'shop',
    owner: { kind: 'Deployment', name: 'search' },
    labels: {
      'app.kubernetes.io/instance': '',
      'app.kubernetes.io/name': 'search-chart',
    },
    containers: [app('search')],
  }),
  oraclePod({
    id: 'deployment-annotation',
    namespace: 'shop',
    owner: { kind: 'Deployment', name: 'reviews' },
    labels: helm('shop-reviews', 'reviews'),
    annotations: { 'resource.opentelemetry.io/service.name': 'reviews-api' },
    containers: [app('reviews')],
  }),
  oraclePod({
    id: 'deployment-empty-annotation',
    namespace: 'shop',
    owner: { kind: 'Deployment', name: 'ratings' },
    labels: helm('shop-ratings', 'ratings'),
    annotations: { 'resource.opentelemetry.io/service.name': '' },
    containers: [app('ratings')],
  }),
  oraclePod({
    id: 'deployment-env',
    namespace: 'shop',
    owner: { kind: 'Deployment', name: 'orders' },
    labels: helm('shop-orders', 'orders'),
    annotations: { 'resource.opentelemetry.io/service.name': 'orders-api' },
    containers: [
      {
        name: 'orders',
        port: 8080,
        env: [{ name: 'OTEL_SERVICE_NAME', value: 'orders-service' }],
      },
    ],
  }),
  // A reference kubelet expands: Beyla's metadata cannot, the process can.
  oraclePod({
    id: 'deployment-env-reference',
    namespace: 'shop',
    owner: { kind: 'Deployment', name: 'emails' },
    labels: { app: 'emails' },
    containers: [
      {
        name: 'emails',
        port: 8080,
        env: [
          { name: 'APP', value: 'mailer' },
          { name: 'OTEL_SERVICE_NAME', value: '$(APP)' },
        ],
        runtimeEnv: { OTEL_SERVICE_NAME: 'mailer' },
      },
    ],
  }),
  oraclePod({
    id: 'deployment-resource-attributes',
    namespace: 'shop',
    owner: { kind: 'Deployment', name: 'pricing' },
    labels: helm('shop-pricing', 'pricing'),
    containers: [
      {
        name: 'pricing',
        port: 8080,
        env: [
          {
            name: 'OTEL_RESOURCE_ATTRIBUTES',
            value: 'service.name=pricing-engine,service.namespace=commerce',
          },
        ],
      },
    ],
  }),
  // Two containers, OTEL_SERVICE_NAME in one of them only.
  oraclePod({
    id: 'deployment-sidecar',
    namespace: 'shop',
    owner: { kind: 'Deployment', name: 'gateway' },
    labels: helm('edge', 'gateway'),
    containers: [
      {
        name: 'gateway',
        port: 8080,
        env: [{ name: 'OTEL_SERVICE_NAME', value: 'edge-gateway' }],
      },
      app('envoy', 15001),
    ],
  }),
  // service.namespace: the part-of label, the annotation.
  oraclePod({
    id: 'deployment-part-of',
    namespace: 'data',
    owner: { kind: 'Deployment', name: 'importer' },
    labels: { app: 'importer', 'app.kubernetes.io/part-of': 'pipeline' },
    containers: [app('importer', 9000)],
  }),
  oraclePod({
    id: 'deployment-namespace-annotation',
    namespace: 'data',
    owner: { kind: 'Deployment', name: 'export' },
    labels: { 'app.kubernetes.io/part-of': 'pipeline' },
    annotations: { 'resource.opentelemetry.io/service.namespace': 'exports' },
    containers: [app('export', 9000)],
  }),
  // An annotation can set any resource attribute, the owner's too.
  oraclePod({
    id: 'deployment-owner-annotation',
    namespace: 'data',
    owner: { kind: 'Deployment', name: 'loader' },
    labels: { app: 'loader' },
    annotations: { 'resource.opentelemetry.io/k8s.deployment.name': 'etl' },
    containers: [app('loader', 9000)],
  }),
  // Other kinds.
  oraclePod({
    id: 'statefulset',
    namespace: 'data',
    owner: { kind: 'StatefulSet', name: 'forecast' },
    labels: { app: 'forecast', tier: 'api-v1' },
    containers: [app('forecast', 8000)],
  }),
  oraclePod({
    id: 'statefulset-other-tier',
    namespace: 'data',
    owner: { kind: 'StatefulSet', name: 'forecast' },
    labels: { app: 'forecast', tier: 'batch' },
    containers: [app('forecast', 8000)],
  }),
  oraclePod({
    id: 'statefulset-helm',
    namespace: 'data',
    owner: { kind: 'StatefulSet', name: 'db-postgresql' },
    labels: helm('db', 'postgresql'),
    containers: [app('postgresql', 5432)],
  }),
  oraclePod({
    id: 'daemonset',
    namespace: 'data',
    owner: { kind: 'DaemonSet', name: 'node-agent' },
    labels: { app: 'node-agent' },
    containers: [app('agent', 9100)],
  }),
  oraclePod({
    id: 'bare-pod',
    namespace: 'data',
    owner: { kind: 'none' },
    labels: { app: 'debug' },
    containers: [app('debug', 8080)],
  }),
  oraclePod({
    id: 'cronjob',
    namespace: 'data',
    owner: { kind: 'Job', name: 'nightly-29410000' },
    containers: [app('nightly', 8080)],
  }),
  // A ReplicaSet of its own: Beyla still guesses a Deployment from its name.
  oraclePod({
    id: 'replicaset-alone',
    namespace: 'data',
    owner: { kind: 'ReplicaSet', name: 'legacy-rs' },
    containers: [app('legacy', 8080)],
  }),
  // Look-alikes Tracegate's selection must tell apart.
  oraclePod({
    id: 'deployment-same-name-other-namespace',
    namespace: 'data',
    owner: { kind: 'Deployment', name: 'cart' },
    labels: { app: 'cart' },
    containers: [app('cart')],
  }),
  oraclePod({
    id: 'statefulset-same-name-as-deployment',
    namespace: 'shop',
    owner: { kind: 'StatefulSet', name: 'checkout' },
    labels: { app: 'checkout-cache' },
    containers: [app('cache', 6379)],
  }),
  oraclePod({
    id: 'deployment-name-prefix',
    namespace: 'shop',
    owner: { kind: 'Deployment', name: 'checkout-v2' },
    labels: { app: 'checkout' },
    containers: [app('checkout')],
  }),
  oraclePod({
    id: 'deployment-dotted-namespace-lookalike',
    namespace: 'shopx',
    owner: { kind: 'Deployment', name: 'checkout' },
    labels: { app: 'checkout' },
    containers: [app('checkout')],
  }),
  // Names YAML 1.1 would read as other types.
  oraclePod({
    id: 'yaml-tricky',
    namespace: 'on',
    owner: { kind: 'Deployment', name: '0123' },
    labels: { app: 'e-0123' },
    containers: [app('tricky', 8080)],
  }),
  // A namespace in Beyla's default exclusions.
  oraclePod({
    id: 'excluded-namespace',
    namespace: 'monitoring',
    owner: { kind: 'Deployment', name: 'kube-state-metrics' },
    labels: helm('kube-state-metrics', 'kube-state-metrics'),
    containers: [app('kube-state-metrics', 8080)],
  }),
];
