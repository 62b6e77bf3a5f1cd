import { CoreV1Api } from '@kubernetes/client-node';
import { ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
// A test-only package that runs from source, so __dirname is its src folder.
// eslint-disable-next-line no-restricted-syntax
const buildScript = path.resolve(__dirname, '..', 'build-kwok.sh');

/** The annotation KWOK is told to manage nodes by. */
export const FAKE_NODE_ANNOTATION = 'kwok.x-k8s.io/node';

/** The KWOK build: its binary and the "fast" stages of its module. */
export async function buildKwok(): Promise<{ binary: string; stages: string }> {
  const { stdout } = await execFileAsync('bash', [buildScript], {
    maxBuffer: 16 * 1024 * 1024,
    timeout: 30 * 60 * 1000,
  });
  const dir = stdout.trim().split('\n').pop()!;
  return {
    binary: path.join(dir, 'kwok'),
    stages: path.join(dir, 'stages.yaml'),
  };
}

/**
 * Starts KWOK against the cluster: it makes fake nodes Ready and drives the
 * status of pods bound to them (no container runtime). Extra stage files
 * (YAML of `kwok.x-k8s.io/v1alpha1` Stages) can make pods fail.
 */
export async function startKwok(options: {
  kubeconfigFile: string;
  dir: string;
  extraStages?: string;
}): Promise<ChildProcess> {
  const { binary, stages } = await buildKwok();
  let config = stages;
  if (options.extraStages) {
    config = path.join(options.dir, 'kwok-stages.yaml');
    fs.writeFileSync(
      config,
      `${fs.readFileSync(stages, 'utf8')}\n---\n${options.extraStages}`,
    );
  }
  const child = spawn(
    binary,
    [
      `--kubeconfig=${options.kubeconfigFile}`,
      `--config=${config}`,
      '--manage-all-nodes=false',
      `--manage-nodes-with-annotation-selector=${FAKE_NODE_ANNOTATION}=fake`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderrTail = '';
  child.stderr?.on('data', chunk => {
    stderrTail = (stderrTail + chunk.toString()).slice(-4000);
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, 500);
    child.once('exit', code => {
      clearTimeout(timer);
      reject(new Error(`kwok exited with ${code}: ${stderrTail}`));
    });
  });
  return child;
}

/** Registers `count` fake nodes (`kwok-node-0`, ...) and waits until Ready. */
export async function addFakeNodes(
  core: CoreV1Api,
  count: number,
  /** Pods each node takes (`status.allocatable.pods`): 110, as a real one. */
  podsPerNode = 110,
): Promise<string[]> {
  const names = Array.from({ length: count }, (_, i) => `kwok-node-${i}`);
  for (const name of names) {
    const existing = await core.readNode({ name }).catch(() => undefined);
    if (existing) continue;
    await core.createNode({
      body: {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: {
          name,
          annotations: {
            [FAKE_NODE_ANNOTATION]: 'fake',
            'node.alpha.kubernetes.io/ttl': '0',
          },
          labels: {
            'kubernetes.io/arch': 'amd64',
            'kubernetes.io/hostname': name,
            'kubernetes.io/os': 'linux',
            'kubernetes.io/role': 'agent',
            type: 'kwok',
          },
        },
        status: {
          allocatable: {
            cpu: '32',
            memory: '256Gi',
            pods: String(podsPerNode),
          },
          capacity: { cpu: '32', memory: '256Gi', pods: String(podsPerNode) },
        },
      },
    });
  }
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { items } = await core.listNode();
    const ready = items.filter(
      n =>
        names.includes(n.metadata!.name!) &&
        n.status?.conditions?.some(
          c => c.type === 'Ready' && c.status === 'True',
        ),
    );
    if (ready.length === names.length) {
      await untaintReadyNodes(core, names);
      return names;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `fake nodes not Ready after 60s (${ready.length}/${count})`,
      );
    }
    await new Promise(r => setTimeout(r, 200));
  }
}

/**
 * Takes `node.kubernetes.io/not-ready` off nodes that report Ready, as the
 * node-lifecycle controller does on a real cluster (it does not run here:
 * it would also evict pods from nodes whose heartbeats it misses). Without
 * this, only pods that tolerate the taint (DaemonSets) are ever scheduled.
 */
async function untaintReadyNodes(core: CoreV1Api, names: string[]) {
  for (const name of names) {
    const node = await core.readNode({ name });
    const taints = node.spec?.taints ?? [];
    const kept = taints.filter(t => t.key !== 'node.kubernetes.io/not-ready');
    if (kept.length === taints.length) continue;
    node.spec = { ...node.spec, taints: kept };
    await core.replaceNode({ name, body: node });
  }
}

/**
 * An image no real cluster runs: KWOK keeps its pods in CrashLoopBackOff with
 * the error Beyla 2.5.0-2.5.2 print for an entry sampler, so tests can watch
 * Tracegate report a rollout that never finishes (a simulation, not Beyla).
 */
export const CRASHLOOP_BEYLA_IMAGE = 'grafana/beyla:3.33.0-kwok-crashloop';

/** The KWOK stage behind {@link CRASHLOOP_BEYLA_IMAGE}. */
export const CRASHLOOP_STAGE = `apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: tracegate-crashloop
spec:
  resourceRef:
    apiGroup: v1
    kind: Pod
  selector:
    matchExpressions:
    - key: '.metadata.deletionTimestamp'
      operator: 'DoesNotExist'
    - key: '.status.phase'
      operator: 'In'
      values: ['Pending']
    - key: '.spec.containers.[0].image'
      operator: 'In'
      values: ['${CRASHLOOP_BEYLA_IMAGE}']
  # Chosen over pod-ready (weight 0) for these pods.
  weight: 10000
  next:
    statusTemplate: |
      {{ $now := Now }}
      conditions:
      - lastTransitionTime: {{ $now | Quote }}
        status: "False"
        type: Ready
      containerStatuses:
      {{ range .spec.containers }}
      - image: {{ .image | Quote }}
        name: {{ .name | Quote }}
        ready: false
        restartCount: 3
        state:
          waiting:
            reason: CrashLoopBackOff
            message: back-off 40s restarting failed container
        lastState:
          terminated:
            exitCode: 1
            reason: Error
            message: "parsing YAML configuration: GlobAttr: unexpected YAML node kind 4"
            finishedAt: {{ $now | Quote }}
      {{ end }}
      hostIP: {{ NodeIPWith .spec.nodeName | Quote }}
      phase: Running
      startTime: {{ $now | Quote }}
`;

/**
 * Beyla's pods become ready `delayMs` (plus up to `jitterMs`) after they
 * start, as on a real node (image pull, eBPF probes): a restart is long
 * enough to be seen.
 */
export function beylaStartDelayStage(delayMs: number, jitterMs = 0): string {
  return `apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: tracegate-beyla-start-delay
spec:
  resourceRef:
    apiGroup: v1
    kind: Pod
  selector:
    matchExpressions:
    - key: '.metadata.deletionTimestamp'
      operator: 'DoesNotExist'
    - key: '.status.phase'
      operator: 'In'
      values: ['Pending']
    - key: '.metadata.labels["app.kubernetes.io/name"]'
      operator: 'In'
      values: ['beyla']
    - key: '.spec.containers.[0].image'
      operator: 'NotIn'
      values: ['${CRASHLOOP_BEYLA_IMAGE}']
  weight: 10000
  delay:
    durationMilliseconds: ${delayMs}
    jitterDurationMilliseconds: ${delayMs + jitterMs}
  next:
    statusTemplate: |
      {{ $now := Now }}
      conditions:
      - lastTransitionTime: {{ $now | Quote }}
        status: "True"
        type: Initialized
      - lastTransitionTime: {{ $now | Quote }}
        status: "True"
        type: Ready
      - lastTransitionTime: {{ $now | Quote }}
        status: "True"
        type: ContainersReady
      containerStatuses:
      {{ range .spec.containers }}
      - image: {{ .image | Quote }}
        name: {{ .name | Quote }}
        ready: true
        restartCount: 0
        state:
          running:
            startedAt: {{ $now | Quote }}
      {{ end }}
      hostIP: {{ NodeIPWith .spec.nodeName | Quote }}
      podIP: {{ PodIPWith .spec.nodeName ( or .spec.hostNetwork false ) ( or .metadata.uid "" ) ( or .metadata.name "" ) ( or .metadata.namespace "" ) | Quote }}
      phase: Running
      startTime: {{ $now | Quote }}
`;
}

/** The demo's and the e2e cluster's: ready 3 to 6 s after start. */
export const BEYLA_START_DELAY_STAGE = beylaStartDelayStage(3000, 3000);
