import {
  BeylaNaming,
  sampledFraction,
  traceLookup,
  TracingRequest,
} from '@tracegate/plugin-tracing-common';
import { beylaNaming } from '../beyla/naming';
import { isTargetPod } from '../beyla/selection';
import { podShapeOfPod } from '../beyla/serviceName';
import { readWorkloadPods } from '../targets/workloadPods';
import { ClusterSettings } from '../clusters/config';
import { describeKubeError } from '../clusters/errors';
import { KubeApi } from '../clusters/KubeApi';
import { podProblems } from '../plan';
import { BEYLA_POD_SELECTOR, KubeObject } from '../render';

/** Below this ratio a quiet service may go many minutes without a trace. */
const TINY_RATIO = 0.01;

type PodSpec = {
  nodeName?: string;
  containers?: Array<{ ports?: Array<{ containerPort?: number }> }>;
};
type PodLike = Parameters<typeof podShapeOfPod>[0];
type PodStatus = { conditions?: Array<{ type: string; status: string }> };

/**
 * What a check pass reads of one cluster: its API, and Beyla's pods, read
 * once per pass however many requests ask.
 */
export type ClusterReader = {
  api: KubeApi;
  beylaPods(): Promise<KubeObject[]>;
};

/** A {@link ClusterReader} for one pass over the cluster. */
export function clusterReader(
  cluster: ClusterSettings,
  api: KubeApi,
): ClusterReader {
  let beylaPods: Promise<KubeObject[]> | undefined;
  return {
    api,
    beylaPods: () =>
      (beylaPods ??= api.list(
        { apiVersion: 'v1', kind: 'Pod' },
        BEYLA_POD_SELECTOR,
        cluster.beyla.namespace,
      )),
  };
}

/**
 * Why no trace of an active request's target has arrived, as far as
 * Tracegate can check it itself: the sampler, Beyla's default namespace
 * exclusions, the Beyla pod on each node the workload runs on, the
 * open-ports filter against the ports the pods declare, and the names Beyla
 * gives the running pods (resolved anew: `beyla`, when they could be read):
 * spans that carry other Kubernetes attributes than the target's, or
 * service names a store that searches by name was not asked for. Reads the
 * cluster; never throws.
 */
export async function whyNoTraces(
  request: TracingRequest,
  cluster: ClusterSettings,
  reader: ClusterReader,
): Promise<{ reasons: string[]; beyla?: BeylaNaming }> {
  const reasons = samplerReasons(request);
  if (request.method === 'prometheus') return { reasons };
  if (cluster.beyla.excludedNamespaces.includes(request.namespace)) {
    reasons.push(
      `namespace ${request.namespace} is in Beyla's default exclusions on cluster ${cluster.name} (see beyla.allowExcludedNamespaces)`,
    );
  }
  try {
    const found = await workloadReasons(request, cluster, reader);
    return { reasons: [...reasons, ...found.reasons], beyla: found.beyla };
  } catch (error) {
    reasons.push(`could not read the cluster: ${describeKubeError(error)}`);
    return { reasons };
  }
}

function samplerReasons(request: TracingRequest): string[] {
  const { sampler, ratio } = request.sampling;
  if (sampledFraction(request) === 0) {
    return [`the sampler ${sampler} keeps no trace that starts here`];
  }
  if (sampledFraction(request) < TINY_RATIO) {
    return [
      `the ratio ${ratio} keeps about 1 trace in ${Math.round(
        1 / ratio,
      )}: a quiet service may show none for a long time`,
    ];
  }
  return [];
}

async function workloadReasons(
  request: TracingRequest,
  cluster: ClusterSettings,
  { api, beylaPods }: ClusterReader,
): Promise<{ reasons: string[]; beyla?: BeylaNaming }> {
  const { kind, name } = request.workload;
  const target = `${kind} ${request.namespace}/${name}`;
  const workload = await api.get({
    apiVersion: 'apps/v1',
    kind,
    metadata: { name, namespace: request.namespace },
  });
  if (!workload) return { reasons: [`${target} is not on the cluster`] };
  const pods = (await readWorkloadPods(api, workload)).filter(pod =>
    isTargetPod(request, podShapeOfPod(pod as PodLike)),
  );
  const beyla = beylaNaming(cluster, request, workload, pods);
  if (!pods.length) return { reasons: [`${target} has no pods`], beyla };

  const reasons: string[] = [];
  if (!pods.some(isReady)) {
    reasons.push(
      `no pod of ${target} is ready${withProblems(podProblems(pods))}`,
    );
  }
  reasons.push(...beylaPodReasons(pods, await beylaPods()));
  const portReason = openPortsReason(request, pods);
  if (portReason) reasons.push(portReason);
  reasons.push(...namingReasons(request, cluster, beyla));
  return { reasons, beyla };
}

/** What Beyla's names for the running pods keep out of the lookup. */
function namingReasons(
  request: TracingRequest,
  cluster: ClusterSettings,
  beyla: BeylaNaming,
): string[] {
  const reasons = (beyla.overrides ?? []).map(
    o =>
      `the pods set ${o} themselves, so their spans do not carry the target's identity and a search by it finds none`,
  );
  for (const n of beyla.names.filter(x => x.unresolved)) {
    reasons.push(
      `Beyla's name for container ${n.container} is only known when it runs: ${n.unresolved}`,
    );
  }
  if (cluster.traces?.type === 'jaeger') {
    const asked = traceLookup(request).serviceNames;
    const now = traceLookup({
      ...request,
      targetCheck: { ...request.targetCheck!, beyla },
    }).serviceNames;
    const missing = now.filter(n => !asked.includes(n));
    if (missing.length) {
      reasons.push(
        `Beyla names the running pods ${missing.join(
          ', ',
        )}, which Jaeger was not asked for (${asked.join(
          ', ',
        )}); the next check asks for them`,
      );
    }
  }
  return reasons;
}

/** The Beyla pod on each node the workload runs on: missing or not ready. */
function beylaPodReasons(
  pods: KubeObject[],
  beylaPods: KubeObject[],
): string[] {
  const nodes = [
    ...new Set(
      pods
        .map(p => (p.spec as PodSpec | undefined)?.nodeName)
        .filter((n): n is string => Boolean(n)),
    ),
  ].sort();
  const reasons: string[] = [];
  for (const node of nodes) {
    const onNode = beylaPods.filter(
      p => (p.spec as PodSpec | undefined)?.nodeName === node,
    );
    if (!onNode.length) {
      reasons.push(`no Beyla pod runs on node ${node}`);
    } else if (!onNode.some(isReady)) {
      reasons.push(
        `the Beyla pod on node ${node} (${
          onNode[0].metadata.name
        }) is not ready${withProblems(podProblems(onNode))}`,
      );
    }
  }
  return reasons;
}

/** The request's open-ports filter matches none of the declared ports. */
function openPortsReason(
  request: TracingRequest,
  pods: KubeObject[],
): string | undefined {
  if (!request.openPorts) return undefined;
  const declared = [
    ...new Set(
      pods.flatMap(p =>
        ((p.spec as PodSpec | undefined)?.containers ?? []).flatMap(c =>
          (c.ports ?? [])
            .map(port => port.containerPort)
            .filter((n): n is number => typeof n === 'number'),
        ),
      ),
    ),
  ].sort((a, b) => a - b);
  if (!declared.length) return undefined;
  const ranges = request.openPorts.split(',').map(part => {
    const [low, high = low] = part.split('-').map(Number);
    return [low, high] as const;
  });
  const matches = declared.some(port =>
    ranges.some(([low, high]) => port >= low && port <= high),
  );
  return matches
    ? undefined
    : `the open-ports filter ${
        request.openPorts
      } excludes every port the pods declare (${declared.join(', ')})`;
}

function isReady(pod: KubeObject): boolean {
  return Boolean(
    ((pod.status ?? {}) as PodStatus).conditions?.some(
      c => c.type === 'Ready' && c.status === 'True',
    ),
  );
}

function withProblems(problems: string | undefined): string {
  return problems ? `: ${problems}` : '';
}
