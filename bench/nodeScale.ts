/*
 * yarn bench:node-scale [nodes...]
 *
 * One approval on a settled cluster of N KWOK nodes (3, 30, 100 by default;
 * BENCH_NODES=3,30,100,300 or arguments choose), where Beyla's pods become
 * ready 4 s after they start, as a real Beyla would after loading its eBPF
 * programs. The cluster already runs Beyla for one active request; the new
 * request's target runs 3 pods on 3 nodes. Measured from the approval:
 * - approve → active,
 * - Beyla pods restarted (deleted and replaced),
 * - node-seconds without a ready Beyla pod (summed over nodes), the longest
 *   on one node, and how many nodes had none at some point,
 * sampled every 250 ms from the Beyla pods' Ready conditions, until the
 * request is active and every node has a ready Beyla again.
 *
 * BENCH_DELIVERY=git: the cluster is delivered through git (a loopback git
 * server, the GitOps stand-in applying each commit, polling every 250 ms);
 * the DaemonSet controller rolls Beyla on every node.
 */
import {
  beylaStartDelayStage,
  createTracegateServiceAccount,
  LocalControlPlane,
  seedPlatform,
  startControlPlane,
  startGitOpsStandIn,
  startGitServer,
} from '@internal/local-kube';
import { adminApi } from '../plugins/tracing-backend/src/__testUtils__/kube';
import { BEYLA_POD_SELECTOR } from '../plugins/tracing-backend/src/render';
import { KubeObject } from '../plugins/tracing-backend/src/render/types';
import { report } from './report';
import { benchClusterSettings, benchReconciler, fileInStore } from './setup';

const BEYLA_START_MS = 4_000;
const GIT = process.env.BENCH_DELIVERY === 'git';
const GIT_USER = { username: 'tracegate', password: 'bench' };
const SAMPLE_MS = 250;
const NAMESPACE = 'beyla';

const nodeCounts = (
  process.argv.slice(2).length
    ? process.argv.slice(2)
    : (
        process.env.BENCH_NODES ?? (process.env.BENCH_QUICK ? '3' : '3,30,100')
      ).split(',')
).map(Number);

/** A Deployment with one pod on each of `replicas` distinct nodes. */
function spreadDeployment(name: string, replicas: number) {
  const labels = { app: name, 'backstage.io/kubernetes-id': name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'shop', labels },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels },
        spec: {
          affinity: {
            podAntiAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [
                {
                  labelSelector: { matchLabels: { app: name } },
                  topologyKey: 'kubernetes.io/hostname',
                },
              ],
            },
          },
          containers: [
            {
              name,
              image: 'example/app:1',
              ports: [{ containerPort: 8080 }],
            },
          ],
        },
      },
    },
  } as KubeObject;
}

const isReady = (pod: KubeObject) =>
  !(pod.metadata as { deletionTimestamp?: string }).deletionTimestamp &&
  Boolean(
    (
      pod.status as
        | { conditions?: Array<{ type: string; status: string }> }
        | undefined
    )?.conditions?.some(c => c.type === 'Ready' && c.status === 'True'),
  );

const nodeOf = (pod: KubeObject) =>
  (pod.spec as { nodeName?: string } | undefined)?.nodeName ?? '';

async function waitFor(what: string, check: () => Promise<boolean>) {
  const deadline = Date.now() + 60 * 60_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, SAMPLE_MS));
  }
}

async function measure(
  cluster: LocalControlPlane,
  token: string,
  nodes: number,
) {
  const settings = await benchClusterSettings(cluster, token, NAMESPACE);
  // A rollout over many nodes takes longer than the default 5 minutes.
  settings.beyla.rolloutDeadlineMs = 60 * 60_000;
  const git = GIT ? await startGitDelivery(cluster) : undefined;
  if (git) settings.delivery = git.delivery;
  const bench = await benchReconciler(settings, {
    rolloutPollMs: SAMPLE_MS,
    gitPollMs: SAMPLE_MS,
    reconcileOnChange: true,
  });
  const { store, clusters, reconciler } = bench;
  const close = async () => {
    await bench.close();
    await git?.stop();
  };
  const api = clusters.api(settings);
  const admin = adminApi(cluster);
  const beylaPods = () =>
    api.list({ apiVersion: 'v1', kind: 'Pod' }, BEYLA_POD_SELECTOR, NAMESPACE);
  const allNodesReady = async () => {
    const ready = new Set((await beylaPods()).filter(isReady).map(nodeOf));
    return ready.size === nodes;
  };
  const untilActive = (id: string) =>
    waitFor(`request ${id} active`, async () => {
      const r = await store.get(id);
      if (r?.status === 'failed') throw new Error(r.lastApply?.error);
      return r?.status === 'active';
    });

  // Settled: Beyla on every node for an earlier request.
  for (const name of ['scale-base', 'scale-target']) {
    await admin.apply(spreadDeployment(name, name === 'scale-base' ? 2 : 3), {
      force: true,
    });
  }
  const base = await fileInStore(store, {
    workload: { kind: 'Deployment', name: 'scale-base' },
  });
  await reconciler.reconcile('local');
  await untilActive(base);
  await waitFor('Beyla ready on every node', allNodesReady);

  const before = new Set(
    (await beylaPods()).map(p => (p.metadata as { uid?: string }).uid),
  );
  const withoutBeyla = new Map<string, number>();
  const start = performance.now();
  const id = await fileInStore(store, {
    workload: { kind: 'Deployment', name: 'scale-target' },
  });
  reconciler.reconcileSoon('local');
  let activeMs: number | undefined;
  let last = start;
  for (;;) {
    const pods = await beylaPods();
    const now = performance.now();
    const ready = new Set(pods.filter(isReady).map(nodeOf));
    const allNodes = new Set([...pods.map(nodeOf), ...ready]);
    for (let i = 0; i < nodes; i++) {
      const node = `kwok-node-${i}`;
      if (!ready.has(node) || !allNodes.has(node)) {
        withoutBeyla.set(node, (withoutBeyla.get(node) ?? 0) + (now - last));
      }
    }
    last = now;
    if (activeMs === undefined) {
      const r = await store.get(id);
      if (r?.status === 'failed') throw new Error(r.lastApply?.error);
      if (r?.status === 'active') activeMs = now - start;
    }
    if (activeMs !== undefined && ready.size === nodes) break;
    if (now - start > 60 * 60_000) throw new Error('not settled in an hour');
    await new Promise(r => setTimeout(r, SAMPLE_MS));
  }
  const after = new Set(
    (await beylaPods()).map(p => (p.metadata as { uid?: string }).uid),
  );
  const restarted = [...before].filter(uid => !after.has(uid)).length;
  const gaps = [...withoutBeyla.values()];
  await close();
  return {
    nodes,
    activeMs: activeMs!,
    restarted,
    nodesWithoutBeyla: gaps.filter(ms => ms > 0).length,
    nodeSecondsWithoutBeyla: gaps.reduce((a, b) => a + b, 0) / 1000,
    longestWithoutBeylaS: Math.max(0, ...gaps) / 1000,
  };
}

/** A git server with a repository, and the GitOps stand-in applying it. */
async function startGitDelivery(cluster: LocalControlPlane) {
  const server = await startGitServer(GIT_USER);
  const url = await server.createRepository('bench');
  const folder = 'clusters/bench';
  const gitops = await startGitOpsStandIn({
    repository: url,
    branch: 'main',
    folder,
    credentials: GIT_USER,
    kubeconfigFile: cluster.kubeconfigFile,
    pollMs: SAMPLE_MS,
  });
  return {
    delivery: {
      type: 'git' as const,
      url,
      branch: 'main',
      folder,
      credentials: { username: GIT_USER.username, token: GIT_USER.password },
      author: { name: 'Tracegate', email: 'tracegate@backstage.invalid' },
    },
    async stop() {
      await gitops.stop();
      await server.stop();
    },
  };
}

async function main() {
  const rows = [];
  for (const nodes of nodeCounts) {
    const cluster = await startControlPlane({
      nodes,
      kwokStages: beylaStartDelayStage(BEYLA_START_MS),
    });
    try {
      await seedPlatform(cluster);
      const token = await createTracegateServiceAccount(cluster);
      const row = await measure(cluster, token, nodes);
      process.stderr.write(`node-scale: ${JSON.stringify(row)}\n`);
      rows.push(row);
    } finally {
      await cluster.stop();
    }
  }
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  report(
    GIT ? 'node-scale-git' : 'node-scale',
    rows,
    [
      ['nodes', r => String(r.nodes)],
      ['approve → active', r => s(r.activeMs)],
      ['Beyla pods restarted', r => String(r.restarted)],
      ['nodes without Beyla', r => String(r.nodesWithoutBeyla)],
      ['node-seconds without Beyla', r => r.nodeSecondsWithoutBeyla.toFixed(1)],
      ['longest on one node', r => `${r.longestWithoutBeylaS.toFixed(1)} s`],
    ],
    [
      `Beyla pods ready ${
        BEYLA_START_MS / 1000
      } s after they start (a KWOK stage); the target runs 3 pods on 3 nodes; one approval on a settled cluster${
        GIT
          ? '; delivered through git (commit, the stand-in applies it, the DaemonSet controller rolls Beyla)'
          : ''
      }`,
    ],
  );
}

main().catch(error => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
