import { AppsV1Api, CoreV1Api, V1Pod } from '@kubernetes/client-node';
import { OracleNames, StandInPod, standInSelection } from './beylaStandIn';
import { parse } from 'yaml';
import { LocalControlPlane } from './controlPlane';
import { sendSpans } from './jaeger';

/**
 * The demo's stand-in for Beyla. Nothing runs eBPF on the local cluster's
 * fake nodes, so this reads what Beyla would read, Beyla's ConfigMap as
 * Tracegate applied it, and sends OTLP spans for the processes it selects,
 * as Beyla would for their HTTP requests:
 * - only for the config Beyla's pods run: while the DaemonSet rolls out a
 *   new config, the last rolled-out one,
 * - only for ready pods on a node where a Beyla pod is ready,
 * - for each container whose declared port an entry selects, matched as
 *   Beyla's matcher does (beylaStandIn.ts, checked against Beyla's own
 *   decisions in the oracle's fixtures),
 * - with the resource attributes Beyla's own code gives that pod shape
 *   (service name, Kubernetes identity: looked up in the fixtures),
 * - sampled with the entry's (or the shared) sampler.
 * It is a simulation for the demo, not Beyla: a pod the oracle never saw,
 * or an entry that names its service (the legacy dialect), gets no spans,
 * and the reason is printed once.
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
  const said = new Set<string>();
  const sayOnce = (text: string) => {
    if (said.has(text)) return;
    said.add(text);
    process.stderr.write(`demo traffic: ${text}\n`);
  };
  let stopped = false;
  let running = false;
  // What the Beyla pods run: the config of the last rollout that finished.
  let runningConfig: RunningConfig | undefined;

  const tick = async () => {
    if (running || stopped) return;
    running = true;
    try {
      const rollout = await beylaRollout(apps, beylaNamespace);
      if (rollout.state === 'none') runningConfig = undefined;
      if (rollout.state === 'done') {
        runningConfig = await readRunningConfig(
          core,
          beylaNamespace,
          rollout.image,
        );
      }
      const targets = runningConfig
        ? await instrumentedProcesses(
            core,
            beylaNamespace,
            runningConfig,
            sayOnce,
          )
        : [];
      for (const target of targets) {
        const spans = Array.from({ length: perInterval }, () => fakeRequest())
          // A trace id ratio sampler keeps this fraction of new traces.
          .filter(() => Math.random() < target.ratio);
        if (!spans.length) continue;
        await sendSpans(
          options.otlpHttpUrl,
          {
            ...target.resource,
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

type RunningConfig = {
  config: { discovery?: Record<string, unknown>; otel_traces_export?: any };
  names: OracleNames;
};

/** One container's spans: what they carry and how many are kept. */
type Target = { resource: Record<string, string>; ratio: number };

/**
 * Beyla's DaemonSet: `none` (no Beyla runs), `done` (every pod runs the
 * current template, so the current config) or `rolling`, and its image.
 */
async function beylaRollout(
  apps: AppsV1Api,
  namespace: string,
): Promise<{ state: 'none' | 'done' | 'rolling'; image?: string }> {
  const daemonSet = await apps
    .readNamespacedDaemonSet({ name: 'beyla', namespace })
    .catch(() => undefined);
  if (!daemonSet) return { state: 'none' };
  const status = daemonSet.status;
  const done =
    status !== undefined &&
    (status.observedGeneration ?? 0) >= (daemonSet.metadata?.generation ?? 0) &&
    status.updatedNumberScheduled === status.desiredNumberScheduled &&
    status.numberAvailable === status.desiredNumberScheduled;
  return {
    state: done ? 'done' : 'rolling',
    image: daemonSet.spec?.template.spec?.containers[0]?.image,
  };
}

/** Beyla's config as its pods read it, with the oracle's naming for its version. */
async function readRunningConfig(
  core: CoreV1Api,
  namespace: string,
  image = '',
): Promise<RunningConfig> {
  const configMap = await core
    .readNamespacedConfigMap({ name: 'beyla-config', namespace })
    .catch(() => undefined);
  const config = parse(configMap?.data?.['beyla-config.yml'] ?? '{}') ?? {};
  const version = /:v?(\d+\.\d+\.\d+)/.exec(image)?.[1] ?? '';
  return { config, names: new OracleNames(version) };
}

/** Every container Beyla would instrument now, with its resource and ratio. */
async function instrumentedProcesses(
  core: CoreV1Api,
  beylaNamespace: string,
  { config, names }: RunningConfig,
  sayOnce: (text: string) => void,
): Promise<Target[]> {
  const beylaNodes = new Set(
    (
      await core.listNamespacedPod({
        namespace: beylaNamespace,
        labelSelector: 'app.kubernetes.io/name=beyla',
      })
    ).items
      .filter(isReady)
      .map(p => p.spec?.nodeName),
  );
  const shared = config.otel_traces_export?.sampler;
  const targets: Target[] = [];
  const pods = (await core.listPodForAllNamespaces()).items.filter(
    p => isReady(p) && beylaNodes.has(p.spec?.nodeName),
  );
  for (const pod of pods as StandInPod[]) {
    for (const container of pod.spec?.containers ?? []) {
      const ports = (container.ports ?? [])
        .map(p => p.containerPort)
        .filter((n): n is number => typeof n === 'number');
      const selected = standInSelection(config, pod, ports);
      if (!selected) continue;
      const where = `${pod.metadata.namespace}/${pod.metadata.name} (${container.name})`;
      if (selected.entry.name) {
        sayOnce(
          `${where}: its entry names the service (legacy dialect); the stand-in names only what the oracle named, so it sends nothing`,
        );
        continue;
      }
      const resource = names.resourceOf(pod, container.name);
      if (!resource) {
        sayOnce(
          `${where}: Beyla ${names.beyla}'s name for this pod shape is not in the oracle's fixtures (test/beyla-oracle), so no spans are sent for it`,
        );
        continue;
      }
      targets.push({
        resource,
        ratio: ratioOf(selected.entry.sampler ?? shared),
      });
    }
  }
  return targets;
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
