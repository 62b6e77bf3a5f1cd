import { AppsV1Api, CoreV1Api, V1Pod } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { LocalControlPlane } from './controlPlane';
import { sendSpans } from './jaeger';

/**
 * The demo's stand-in for Beyla. Nothing runs eBPF on the local cluster's
 * fake nodes, so this reads what Beyla would read, Beyla's ConfigMap as
 * Tracegate applied it, and sends OTLP spans for the workloads it selects,
 * as Beyla would for their HTTP requests:
 * - only for the config Beyla's pods run: while the DaemonSet rolls out a
 *   new config, the workloads of the last rolled-out one,
 * - only for workloads with a ready pod on a node where a Beyla pod is ready,
 * - only when the entry's `open_ports` matches a port the pods declare,
 * - sampled with the entry's (or the shared) sampler.
 * It is a simulation for the demo, not Beyla: what Beyla really does with a
 * config is checked on real clusters only (see the README).
 */
export function startDemoTraffic(options: {
  cluster: LocalControlPlane;
  otlpHttpUrl: string;
  beylaNamespace?: string;
  intervalMs?: number;
  /** Simulated requests per workload per interval. */
  requestsPerInterval?: number;
}): { stop(): void } {
  const kubeConfig = options.cluster.kubeConfig();
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  const beylaNamespace = options.beylaNamespace ?? 'beyla';
  const perInterval = options.requestsPerInterval ?? 6;
  let stopped = false;
  let running = false;
  // What the Beyla pods run: the targets of the last config rolled out.
  let runningTargets: Target[] = [];

  const tick = async () => {
    if (running || stopped) return;
    running = true;
    try {
      const rollout = await beylaRollout(apps, beylaNamespace);
      if (rollout === 'none') runningTargets = [];
      if (rollout === 'done') {
        runningTargets = await instrumentedWorkloads(
          core,
          apps,
          beylaNamespace,
        );
      }
      for (const target of runningTargets) {
        const spans = Array.from({ length: perInterval }, () => fakeRequest())
          // A trace id ratio sampler keeps this fraction of new traces.
          .filter(() => Math.random() < target.ratio);
        if (!spans.length) continue;
        await sendSpans(
          options.otlpHttpUrl,
          {
            'service.name': target.name,
            'k8s.namespace.name': target.namespace,
            [`k8s.${target.kind.toLowerCase()}.name`]: target.name,
            'telemetry.sdk.name': 'tracegate-demo-traffic',
          },
          spans,
          { scope: 'tracegate-demo-traffic (stand-in for Beyla)' },
        );
      }
    } catch (error) {
      process.stderr.write(`demo traffic: ${error}\n`);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(tick, options.intervalMs ?? 5_000);
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}

const ROUTES = ['GET /api/items', 'GET /api/items/{id}', 'POST /api/orders'];

function fakeRequest() {
  return {
    name: ROUTES[Math.floor(Math.random() * ROUTES.length)],
    durationMs: 5 + Math.round(Math.random() * 200),
    error: Math.random() < 0.1,
  };
}

type Target = {
  kind: 'Deployment' | 'StatefulSet' | 'DaemonSet';
  namespace: string;
  name: string;
  ratio: number;
};

type Entry = Record<string, unknown> & {
  sampler?: { name?: string; arg?: string };
};

const KIND_KEYS = {
  k8s_deployment_name: 'Deployment',
  k8s_statefulset_name: 'StatefulSet',
  k8s_daemonset_name: 'DaemonSet',
} as const;

/**
 * Beyla's DaemonSet: `none` (no Beyla runs), `done` (every pod runs the
 * current template, so the current config) or `rolling`.
 */
async function beylaRollout(
  apps: AppsV1Api,
  namespace: string,
): Promise<'none' | 'done' | 'rolling'> {
  const daemonSet = await apps
    .readNamespacedDaemonSet({ name: 'beyla', namespace })
    .catch(() => undefined);
  if (!daemonSet) return 'none';
  const status = daemonSet.status;
  const done =
    status !== undefined &&
    (status.observedGeneration ?? 0) >= (daemonSet.metadata?.generation ?? 0) &&
    status.updatedNumberScheduled === status.desiredNumberScheduled &&
    status.numberAvailable === status.desiredNumberScheduled;
  return done ? 'done' : 'rolling';
}

/** The workloads Beyla would instrument now, with their sampling ratio. */
async function instrumentedWorkloads(
  core: CoreV1Api,
  apps: AppsV1Api,
  beylaNamespace: string,
): Promise<Target[]> {
  const configMap = await core
    .readNamespacedConfigMap({
      name: 'beyla-config',
      namespace: beylaNamespace,
    })
    .catch(() => undefined);
  const config = parse(configMap?.data?.['beyla-config.yml'] ?? '{}') ?? {};
  const entries: Entry[] =
    config.discovery?.instrument ?? config.discovery?.services ?? [];
  if (!entries.length) return [];
  const beylaPods = (
    await core.listNamespacedPod({
      namespace: beylaNamespace,
      labelSelector: 'app.kubernetes.io/name=beyla',
    })
  ).items.filter(isReady);
  const beylaNodes = new Set(beylaPods.map(p => p.spec?.nodeName));
  const shared = config.otel_traces_export?.sampler;

  const targets: Target[] = [];
  for (const entry of entries) {
    const namespace = unanchor(entry.k8s_namespace);
    const [key, kind] =
      Object.entries(KIND_KEYS).find(([k]) => entry[k] !== undefined) ?? [];
    if (!namespace || !key || !kind) continue;
    const name = unanchor(entry[key]);
    if (!name) continue;
    const workload = await readWorkload(apps, kind, namespace, name);
    const matchLabels = workload?.spec?.selector?.matchLabels;
    if (!matchLabels) continue;
    const pods = (
      await core.listNamespacedPod({
        namespace,
        labelSelector: Object.entries(matchLabels)
          .map(([k, v]) => `${k}=${v}`)
          .join(','),
      })
    ).items.filter(p => isReady(p) && beylaNodes.has(p.spec?.nodeName));
    if (!pods.length || !portsMatch(entry.open_ports, pods)) continue;
    targets.push({
      kind,
      namespace,
      name,
      ratio: ratioOf(entry.sampler ?? shared),
    });
  }
  return targets;
}

async function readWorkload(
  apps: AppsV1Api,
  kind: Target['kind'],
  namespace: string,
  name: string,
) {
  const read = {
    Deployment: () => apps.readNamespacedDeployment({ name, namespace }),
    StatefulSet: () => apps.readNamespacedStatefulSet({ name, namespace }),
    DaemonSet: () => apps.readNamespacedDaemonSet({ name, namespace }),
  }[kind];
  return read().catch(() => undefined);
}

/** Legacy entries are anchored, escaped regexes: `^checkout$`. */
function unanchor(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  return value.replace(/^\^/, '').replace(/\$$/, '').replace(/\\(.)/g, '$1');
}

function portsMatch(openPorts: unknown, pods: V1Pod[]): boolean {
  if (typeof openPorts !== 'string' && typeof openPorts !== 'number') {
    return true;
  }
  const ranges = String(openPorts)
    .split(',')
    .map(part => part.split('-').map(Number));
  const declared = pods.flatMap(p =>
    (p.spec?.containers ?? []).flatMap(c =>
      (c.ports ?? []).map(port => port.containerPort),
    ),
  );
  return declared.some(port =>
    ranges.some(([low, high = low]) => port >= low && port <= high),
  );
}

/** The fraction of new traces a Beyla sampler keeps (default: all). */
function ratioOf(sampler?: { name?: string; arg?: string }): number {
  switch (sampler?.name) {
    case 'always_off':
    case 'parentbased_always_off':
      return 0;
    case 'traceidratio':
    case 'parentbased_traceidratio':
      return Number(sampler.arg ?? 1);
    default:
      return 1;
  }
}

function isReady(pod: V1Pod): boolean {
  return Boolean(
    pod.status?.conditions?.some(
      c => c.type === 'Ready' && c.status === 'True',
    ),
  );
}
