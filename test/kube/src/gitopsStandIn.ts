/**
 * A stand-in for a GitOps tool, for tests and the demo: it watches a branch
 * of a git repository and, when the branch moves, applies one folder's
 * manifests to the cluster with `kubectl apply --server-side` and removes
 * what it applied before that the folder no longer holds, unless the object
 * says `kustomize.toolkit.fluxcd.io/prune: disabled`. That is what Flux's
 * kustomize-controller does with a Kustomization of that folder (server-side
 * apply, an inventory of applied objects, pruning with that opt-out), as its
 * documentation describes; Argo CD with `ServerSideApply=true` and automated
 * prune behaves alike. It is not Flux: no health checks, no dependency
 * order beyond kubectl's, no drift correction between commits. It reads
 * only git and the cluster, and imports nothing of Tracegate.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments, stringify } from 'yaml';
import { git, gitAuthEnv } from './gitServer';

const execFileAsync = promisify(execFile);
// A test-only package that runs from source, so __dirname is its src folder.
// eslint-disable-next-line no-restricted-syntax
const buildScript = path.resolve(__dirname, '..', 'build-kubectl.sh');

const FIELD_MANAGER = 'gitops-stand-in';
const PRUNE_DISABLED = 'kustomize.toolkit.fluxcd.io/prune';

/** Builds kubectl when missing (cached per release) and returns its path. */
export async function buildKubectl(): Promise<string> {
  const { stdout } = await execFileAsync('bash', [buildScript], {
    maxBuffer: 16 * 1024 * 1024,
    timeout: 30 * 60 * 1000,
  });
  return stdout.trim().split('\n').pop()!;
}

type Ref = {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
};

export type GitOpsStandIn = {
  /** The commit last applied in full, if any. */
  appliedCommit(): string | undefined;
  /** What the last failed apply said, if the last try failed. */
  lastError(): string | undefined;
  /** Resolves once `sha` (or a later commit) is applied. */
  waitForCommit(sha: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
};

export async function startGitOpsStandIn(options: {
  repository: string;
  branch: string;
  folder: string;
  credentials: { username: string; password: string };
  kubeconfigFile: string;
  pollMs?: number;
  log?: (line: string) => void;
}): Promise<GitOpsStandIn> {
  const kubectl = await buildKubectl();
  const auth = gitAuthEnv(
    options.credentials.username,
    options.credentials.password,
  );
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tracegate-gitops-'));
  await git(['init', '--quiet'], work);
  await git(['remote', 'add', 'origin', options.repository], work);
  let applied: string | undefined;
  let error: string | undefined;
  let inventory: Array<Ref & { keep: boolean }> = [];
  const appliedCommits = new Set<string>();
  let stopped = false;

  const run = (args: string[], input?: string) =>
    new Promise<string>((resolve, reject) => {
      const child = execFile(
        kubectl,
        ['--kubeconfig', options.kubeconfigFile, ...args],
        { maxBuffer: 64 * 1024 * 1024, timeout: 120_000 },
        (err, stdout, stderr) =>
          err
            ? reject(new Error(`kubectl ${args[0]}: ${stderr || err.message}`))
            : resolve(stdout),
      );
      if (input !== undefined) child.stdin!.end(input);
    });

  const sync = async () => {
    const head = (
      await git(
        ['ls-remote', 'origin', `refs/heads/${options.branch}`],
        work,
        auth,
      )
    ).split(/\s/)[0];
    if (!head || head === applied) return;
    await git(['fetch', '--quiet', 'origin', head], work, auth);
    await git(['checkout', '--quiet', '--force', head], work);
    const folder = path.join(work, options.folder);
    const files = fs.existsSync(folder)
      ? fs
          .readdirSync(folder)
          .filter(f => /\.ya?ml$/.test(f))
          .sort()
      : [];
    const objects: Array<Ref & { keep: boolean }> = [];
    for (const file of files) {
      for (const doc of parseAllDocuments(
        fs.readFileSync(path.join(folder, file), 'utf8'),
      )) {
        const o = doc.toJS();
        if (!o?.kind) continue;
        objects.push({
          apiVersion: o.apiVersion,
          kind: o.kind,
          name: o.metadata.name,
          namespace: o.metadata.namespace,
          keep: o.metadata.annotations?.[PRUNE_DISABLED] === 'disabled',
        });
      }
    }
    if (files.length) {
      // Namespaces first, as Flux orders them; kubectl applies the rest in order.
      await run([
        'apply',
        '--server-side',
        `--field-manager=${FIELD_MANAGER}`,
        '--force-conflicts',
        ...files.flatMap(f => ['-f', path.join(folder, f)]),
      ]);
    }
    const key = (r: Ref) =>
      `${r.apiVersion}/${r.kind}/${r.namespace ?? ''}/${r.name}`;
    const now = new Set(objects.map(key));
    const gone = inventory.filter(r => !now.has(key(r)) && !r.keep);
    if (gone.length) {
      await run(
        ['delete', '--ignore-not-found', '--wait=false', '-f', '-'],
        gone
          .map(r =>
            stringify({
              apiVersion: r.apiVersion,
              kind: r.kind,
              metadata: {
                name: r.name,
                ...(r.namespace ? { namespace: r.namespace } : {}),
              },
            }),
          )
          .join('---\n'),
      );
    }
    inventory = objects;
    applied = head;
    appliedCommits.add(head);
    options.log?.(
      `gitops stand-in: applied ${head.slice(0, 7)} (${objects.length} objects${
        gone.length ? `, pruned ${gone.length}` : ''
      })`,
    );
  };

  const loop = (async () => {
    while (!stopped) {
      try {
        await sync();
        error = undefined;
      } catch (e) {
        error = String((e as Error).message ?? e);
        options.log?.(`gitops stand-in: ${error}`);
      }
      await new Promise(r => setTimeout(r, options.pollMs ?? 1000));
    }
  })();

  return {
    appliedCommit: () => applied,
    lastError: () => error,
    async waitForCommit(sha, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (applied && appliedCommits.has(sha)) return;
        if (applied) {
          // A later commit includes it.
          try {
            await git(['merge-base', '--is-ancestor', sha, applied], work);
            return;
          } catch {
            // not an ancestor (or not fetched): wait
          }
        }
        await new Promise(r => setTimeout(r, 200));
      }
      throw new Error(
        `gitops stand-in: ${sha} not applied within ${timeoutMs} ms (applied: ${applied}; last error: ${error})`,
      );
    },
    async stop() {
      stopped = true;
      await loop;
      fs.rmSync(work, { recursive: true, force: true });
    },
  };
}
