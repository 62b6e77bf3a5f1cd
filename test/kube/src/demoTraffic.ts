import { CoreV1Api, V1Pod } from '@kubernetes/client-node';
import { OracleNames, StandInPod, standInSelection } from './beylaStandIn';
import { parse } from 'yaml';
import { LocalControlPlane } from './controlPlane';
import { sendSpans } from './jaeger';

/**
 * The demo's stand-in for Beyla. Nothing runs eBPF on the local cluster's
 * fake nodes, so this reads what Beyla would read, Beyla's ConfigMap as
 * Tracegate applied it, and sends OTLP spans for the processes it selects,
 * as Beyla would for their HTTP requests:
 * - on each node, for the config that node's Beyla pod started with (the
 *   ConfigMap its spec names: Beyla reads its config once), and only while
 *   that pod is ready,
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
  // Configs by ConfigMap name: Tracegate names them by content.
  const configs = new Map<string, RunningConfig['config']>();

  const tick = async () => {
    if (running || stopped) return;
    running = true;
    try {
      const nodes = await beylaByNode(core, beylaNamespace, configs);
      const targets = await instrumentedProcesses(core, nodes, sayOnce);
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
 * What each node's ready Beyla pod runs: the config it started with and
 * the oracle's naming for its image's version.
 */
async function beylaByNode(
  core: CoreV1Api,
  namespace: string,
  configs: Map<string, RunningConfig['config']>,
): Promise<Map<string, RunningConfig>> {
  const pods = (
    await core.listNamespacedPod({
      namespace,
      labelSelector: 'app.kubernetes.io/name=beyla',
    })
  ).items.filter(p => isReady(p) && !p.metadata?.deletionTimestamp);
  const byNode = new Map<string, RunningConfig>();
  for (const pod of pods) {
    const name = pod.spec?.volumes?.find(v => v.name === 'config')?.configMap
      ?.name;
    if (!name || !pod.spec?.nodeName) continue;
    if (!configs.has(name)) {
      const configMap = await core
        .readNamespacedConfigMap({ name, namespace })
        .catch(() => undefined);
      if (!configMap) continue;
      configs.set(
        name,
        parse(configMap.data?.['beyla-config.yml'] ?? '{}') ?? {},
      );
    }
    const version =
      /:v?(\d+\.\d+\.\d+)/.exec(pod.spec.containers[0]?.image ?? '')?.[1] ?? '';
    byNode.set(pod.spec.nodeName, {
      config: configs.get(name)!,
      names: new OracleNames(version),
    });
  }
  return byNode;
}

/** Every container Beyla would instrument now, with its resource and ratio. */
async function instrumentedProcesses(
  core: CoreV1Api,
  beylaNodes: Map<string, RunningConfig>,
  sayOnce: (text: string) => void,
): Promise<Target[]> {
  if (!beylaNodes.size) return [];
  const targets: Target[] = [];
  const pods = (await core.listPodForAllNamespaces()).items.filter(
    p => isReady(p) && beylaNodes.has(p.spec?.nodeName ?? ''),
  );
  for (const pod of pods) {
    const { config, names } = beylaNodes.get(pod.spec!.nodeName!)!;
    const shared = config.otel_traces_export?.sampler;
    for (const container of pod.spec?.containers ?? []) {
      const ports = (container.ports ?? [])
        .map(p => p.containerPort)
        .filter((n): n is number => typeof n === 'number');
      const selected = standInSelection(config, pod as StandInPod, ports);
      if (!selected) continue;
      const where = `${pod.metadata?.namespace}/${pod.metadata?.name} (${container.name})`;
      if (selected.entry.name) {
        sayOnce(
          `${where}: its entry names the service (legacy dialect); the stand-in names only what the oracle named, so it sends nothing`,
        );
        continue;
      }
      const resource = names.resourceOf(pod as StandInPod, container.name);
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
