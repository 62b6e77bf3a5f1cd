import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { addFakeNodes, startKwok } from './nodes';

const execFileAsync = promisify(execFile);
// A test-only package that runs from source, so __dirname is its src folder.
// eslint-disable-next-line no-restricted-syntax
const buildScript = path.resolve(__dirname, '..', 'build.sh');

/** What `tracegate-kube serve` writes to state.json once it is ready. */
type ServeState = {
  url: string;
  caFile: string;
  adminToken: string;
  kubeconfigFile: string;
  pid: number;
  version: string;
};

/** A running local control plane. */
export type LocalControlPlane = ServeState & {
  /** Folder with etcd data, keys, the admin kubeconfig and state.json. */
  dir: string;
  /** PEM of the cluster CA, for clients that take the data inline. */
  caData: string;
  /** Where the prometheus-operator CRDs of this build are. */
  crdDir: string;
  /** A client config for the given bearer token (the admin's by default). */
  kubeConfig(token?: string): KubeConfig;
  /**
   * Stops etcd, the API server and the controllers; frees the port. With
   * `keepData`, the folder stays: `startControlPlane` with the same `dir` and
   * port brings the same cluster back (its objects, CA and tokens); the
   * caller then removes the folder.
   */
  stop(options?: { keepData?: boolean }): Promise<void>;
};

/**
 * Builds the control plane binary when missing (cached per go.sum) and returns
 * its path. A cold build takes minutes; a warm one is a cache lookup.
 */
export async function buildControlPlane(): Promise<string> {
  const { stdout } = await execFileAsync('bash', [buildScript], {
    maxBuffer: 16 * 1024 * 1024,
    timeout: 30 * 60 * 1000,
  });
  return stdout.trim().split('\n').pop()!;
}

/**
 * Starts etcd + kube-apiserver + the namespace/garbage-collector controllers
 * and resolves once `/readyz` answers. The process is stopped when this Node
 * process exits, even without a call to `stop()`.
 */
export async function startControlPlane(
  options: {
    dir?: string;
    port?: number;
    verbose?: boolean;
    /** Fake nodes to register, driven by KWOK (none: no KWOK). */
    nodes?: number;
    /** More KWOK stages (YAML), e.g. to make some pods fail. */
    kwokStages?: string;
    /** Pods each fake node takes (110, as a real one, by default). */
    podsPerNode?: number;
  } = {},
): Promise<LocalControlPlane> {
  const binary = await buildControlPlane();
  const dir =
    options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'tracegate-kube-'));
  const ownsDir = !options.dir;
  // state.json from an earlier run would otherwise look like a fresh start.
  fs.rmSync(path.join(dir, 'state.json'), { force: true });

  const args = ['serve', '--dir', dir];
  if (options.port) args.push('--port', String(options.port));
  if (options.verbose) args.push('--verbose');
  const child = spawn(binary, args, {
    stdio: ['ignore', 'pipe', options.verbose ? 'inherit' : 'pipe'],
  });
  const stopOnExit = () => child.kill('SIGKILL');
  process.once('exit', stopOnExit);

  let stderrTail = '';
  child.stderr?.on('data', chunk => {
    stderrTail = (stderrTail + chunk.toString()).slice(-4000);
  });

  try {
    await waitForReadyLine(child, () => stderrTail);
  } catch (error) {
    child.kill('SIGKILL');
    process.removeListener('exit', stopOnExit);
    throw error;
  }

  const state: ServeState = JSON.parse(
    fs.readFileSync(path.join(dir, 'state.json'), 'utf8'),
  );
  const caData = fs.readFileSync(state.caFile, 'utf8');

  let kwok: ChildProcess | undefined;
  const stopKwokOnExit = () => kwok?.kill('SIGKILL');
  if (options.nodes) {
    try {
      kwok = await startKwok({
        kubeconfigFile: state.kubeconfigFile,
        dir,
        extraStages: options.kwokStages,
      });
      process.once('exit', stopKwokOnExit);
      await addFakeNodes(
        kubeConfigFor(state.url, caData, state.adminToken).makeApiClient(
          CoreV1Api,
        ),
        options.nodes,
        options.podsPerNode,
      );
    } catch (error) {
      kwok?.kill('SIGKILL');
      child.kill('SIGKILL');
      process.removeListener('exit', stopOnExit);
      throw error;
    }
  }

  return {
    ...state,
    dir,
    caData,
    crdDir: path.join(path.dirname(binary), 'crds'),
    kubeConfig(token = state.adminToken) {
      return kubeConfigFor(state.url, caData, token);
    },
    async stop({ keepData = false } = {}) {
      process.removeListener('exit', stopOnExit);
      process.removeListener('exit', stopKwokOnExit);
      if (kwok) await stopChild(kwok);
      await stopChild(child);
      if (ownsDir && !keepData)
        fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A KubeConfig for one server, CA and bearer token. */
export function kubeConfigFor(
  server: string,
  caData: string,
  token: string,
): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: 'local',
        server,
        caData: Buffer.from(caData).toString('base64'),
        skipTLSVerify: false,
      },
    ],
    users: [{ name: 'user', token }],
    contexts: [{ name: 'local', cluster: 'local', user: 'user' }],
    currentContext: 'local',
  });
  return kc;
}

function waitForReadyLine(
  child: ChildProcess,
  stderrTail: () => string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(
      () =>
        reject(
          new Error(
            `control plane not ready after 180s; stderr:\n${stderrTail()}`,
          ),
        ),
      180_000,
    );
    child.stdout!.on('data', chunk => {
      stdout += chunk.toString();
      if (/^READY /m.test(stdout)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', code => {
      clearTimeout(timer);
      reject(
        new Error(
          `control plane exited with ${code} before ready; stderr:\n${stderrTail()}`,
        ),
      );
    });
  });
}

/** Stops a child process: SIGTERM, SIGKILL after 20 s. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>(resolve =>
    child.once('exit', () => resolve()),
  );
  child.kill('SIGTERM');
  const timeout = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timeout);
}
