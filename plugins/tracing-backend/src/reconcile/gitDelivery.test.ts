/**
 * Git delivery against real parts: a git server on loopback (git's own
 * http-backend, asking for credentials), Tracegate's read-only token on the
 * local control plane, and a stand-in for the GitOps tool (Flux-like:
 * kubectl server-side apply of the folder, prune of what left it).
 */
import { ConfigReader } from '@backstage/config';
import { TestDatabases } from '@backstage/backend-test-utils';
import { ScmIntegrations } from '@backstage/integration';
import {
  createTracegateServiceAccount,
  git,
  gitAuthEnv,
  GitOpsStandIn,
  LocalGitServer,
  startGitOpsStandIn,
  startGitServer,
} from '@internal/local-kube';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { renderRbac } from '../rbac/renderRbac';
import {
  localClusterSettings,
  reconcileUntil,
  storeAndReconciler,
  useSeededCluster,
} from '../__testUtils__/kube';

jest.setTimeout(180_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3'],
  disableDocker: true,
});

const FOLDER = 'clusters/local/tracegate';
const GIT_USER = { username: 'tracegate', password: 'git-secret-token' };

const kube = useSeededCluster();
let server: LocalGitServer;
let readOnlyToken: string;

beforeAll(async () => {
  server = await startGitServer(GIT_USER);
  // Tracegate's account with the RBAC its generator writes for git delivery.
  readOnlyToken = await createTracegateServiceAccount(kube.cluster, {
    name: 'tracegate-git',
    rbac: renderRbac({
      beylaNamespace: 'beyla',
      datasourceNamespace: 'monitoring',
      readOnly: true,
    }),
  });
});
afterAll(async () => {
  await server?.stop();
});

/** A store, a reconciler for a git-delivered `local`, and the repository. */
async function setup(name: string) {
  const url = await server.createRepository(name);
  const cluster = localClusterSettings(kube.cluster, {
    token: readOnlyToken,
    config: { delivery: { type: 'git', git: { url, folder: FOLDER } } },
  });
  // Credentials from Backstage's integrations, as the scaffolder finds them.
  const integrations = ScmIntegrations.fromConfig(
    new ConfigReader({
      integrations: {
        gitea: [
          {
            host: new URL(server.url).host,
            baseUrl: server.url,
            ...GIT_USER,
          },
        ],
      },
    }),
  );
  const requests = await storeAndReconciler(databases, cluster, integrations);
  const { reconciler, clusters } = requests;
  const bare = path.join(server.root, `${name}.git`);
  const repo = {
    url,
    /** The files of the branch's folder. */
    files: async (ref = 'main') =>
      (
        await git([
          '--git-dir',
          bare,
          'ls-tree',
          '--name-only',
          `${ref}:${FOLDER}`,
        ]).catch(() => '')
      )
        .split('\n')
        .filter(Boolean),
    head: async () =>
      (await git(['--git-dir', bare, 'rev-parse', 'main'])).trim(),
    log: async (format = '%s') =>
      (
        await git(['--git-dir', bare, 'log', `--format=${format}`, 'main'])
      ).trim(),
    message: async (ref = 'main') =>
      git(['--git-dir', bare, 'log', '-1', '--format=%B', ref]),
  };
  const teardown = async () => {
    reconciler.stop();
    await clusters.close();
  };
  return { ...requests, reconciler, repo, cluster, teardown };
}

async function applier(url: string): Promise<GitOpsStandIn> {
  return startGitOpsStandIn({
    repository: url,
    branch: 'main',
    folder: FOLDER,
    credentials: GIT_USER,
    kubeconfigFile: kube.cluster.kubeconfigFile,
    pollMs: 300,
  });
}

async function beylaDaemonSet() {
  return kube.admin.get({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'beyla', namespace: 'beyla' },
  });
}

describe('git delivery', () => {
  it('commits the plan as files, writes nothing to the cluster, and turns active once the GitOps tool applied it; revoke removes the files', async () => {
    const { store, reconciler, repo, approve, end, teardown } = await setup(
      'platform-config',
    );
    try {
      const request = await approve();
      const first = await reconciler.reconcile('local');
      expect(first.errors).toEqual({});
      expect(first.commit?.committed).toBe(true);
      expect(first.commit?.sha).toBe(await repo.head());
      expect(await repo.files()).toEqual(
        expect.arrayContaining([
          'daemonset-beyla-beyla.yaml',
          'namespace-cluster-scoped-beyla.yaml',
          'serviceaccount-beyla-beyla.yaml',
        ]),
      );
      const message = await repo.message();
      expect(message).toContain('Tracegate local: turn on 1 request');
      expect(message).toContain(
        `Turn on ebpf tracing of Deployment shop/checkout (parentbased_traceidratio 0.5) until 2099-01-01T00:00:00.000Z: request ${request.id} by user:default/guest, approved by a.`,
      );
      // Nothing on the cluster: the token cannot write, and nothing tried.
      expect(await beylaDaemonSet()).toBeUndefined();
      let stored = (await store.get(request.id))!;
      expect(stored.status).toBe('approved');
      expect(stored.lastApply?.commit).toMatchObject({
        sha: first.commit!.sha,
        onCluster: false,
      });
      expect(stored.lastApply?.commit?.waitingFor).toContain(
        'DaemonSet beyla/beyla not on the cluster',
      );

      // An idle pass commits nothing.
      const idle = await reconciler.reconcile('local');
      expect(idle.commit).toMatchObject({
        sha: first.commit!.sha,
        committed: false,
      });
      expect((await repo.log()).split('\n')).toHaveLength(2);

      const gitops = await applier(repo.url);
      try {
        await gitops.waitForCommit(first.commit!.sha);
        const deadline = Date.now() + 60_000;
        while ((await store.get(request.id))!.status !== 'active') {
          if (Date.now() > deadline) {
            throw new Error(
              `still ${JSON.stringify(
                (await store.get(request.id))!.lastApply,
              )}`,
            );
          }
          await reconciler.reconcile('local');
          await new Promise(r => setTimeout(r, 300));
        }
        stored = (await store.get(request.id))!;
        expect(stored.lastApply?.commit).toEqual({
          sha: first.commit!.sha,
          onCluster: true,
        });
        expect(stored.lastApply?.rollout?.complete).toBe(true);
        const daemonSet = await beylaDaemonSet();
        expect((daemonSet!.spec as any).updateStrategy).toEqual({
          type: 'RollingUpdate',
          rollingUpdate: { maxSurge: 10, maxUnavailable: 0 },
        });

        // Revoke: the files go in one commit naming the request; the GitOps
        // tool prunes the objects and keeps the namespace.
        await end(request);
        const revoked = await reconciler.reconcile('local');
        expect(revoked.commit?.committed).toBe(true);
        expect(await repo.files()).toEqual([]);
        expect(await repo.message()).toContain(
          `Turn off request ${request.id}: no longer live`,
        );
        await gitops.waitForCommit(revoked.commit!.sha);
        expect(await beylaDaemonSet()).toBeUndefined();
        expect(
          await kube.admin.get({
            apiVersion: 'v1',
            kind: 'Namespace',
            metadata: { name: 'beyla' },
          }),
        ).toBeDefined();
      } finally {
        await gitops.stop();
      }
    } finally {
      await teardown();
    }
  });

  it('fetches, writes again on top and pushes when the branch moved under it: both changes end in the repository', async () => {
    const { reconciler, repo, approve, teardown } = await setup('moved-branch');
    try {
      await approve();
      // Another team pushes to the same branch while Tracegate pushes.
      server.beforeNextPush(async () => {
        const work = fs.mkdtempSync(path.join(os.tmpdir(), 'other-team-'));
        const auth = gitAuthEnv(GIT_USER.username, GIT_USER.password);
        await git(['clone', '--quiet', repo.url, work], undefined, auth);
        fs.mkdirSync(path.join(work, FOLDER), { recursive: true });
        fs.writeFileSync(
          path.join(work, FOLDER, 'other-team.yaml'),
          'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: other-team, namespace: shop }\n',
        );
        await git(['add', '.'], work);
        await git(
          [
            '-c',
            'user.name=Other',
            '-c',
            'user.email=o@example.invalid',
            'commit',
            '--quiet',
            '-m',
            'Other team: their config',
          ],
          work,
        );
        await git(['push', '--quiet', 'origin', 'HEAD:main'], work, auth);
        fs.rmSync(work, { recursive: true, force: true });
      });
      const result = await reconciler.reconcile('local');
      expect(result.errors).toEqual({});
      expect(result.commit).toMatchObject({ committed: true, retries: 1 });
      expect((await repo.log()).split('\n')).toEqual([
        'Tracegate local: turn on 1 request',
        'Other team: their config',
        'Start the cluster configuration',
      ]);
      const files = await repo.files();
      expect(files).toContain('other-team.yaml');
      expect(files).toContain('daemonset-beyla-beyla.yaml');
    } finally {
      await teardown();
    }
  });

  it("turns the pass's requests to a clear failure while the repository cannot be reached, and recovers", async () => {
    const { store, reconciler, repo, approve, teardown } = await setup(
      'unreachable',
    );
    try {
      const request = await approve();
      await server.close();
      try {
        const result = await reconciler.reconcile('local');
        expect(result.errors[request.id]).toMatch(
          new RegExp(
            `^Not delivered: git fetch \\(${repo.url.replace(
              /[.]/g,
              '\\.',
            )}, branch main\\) failed: fatal: unable to access`,
          ),
        );
        expect(result.errors[request.id]).not.toContain(GIT_USER.password);
        const failed = (await store.get(request.id))!;
        expect(failed.status).toBe('failed');
        expect(failed.lastApply?.error).toBe(result.errors[request.id]);
      } finally {
        await server.reopen();
      }
      const again = await reconciler.reconcile('local');
      expect(again.errors).toEqual({});
      expect(again.commit?.committed).toBe(true);
      expect(await repo.files()).toContain('daemonset-beyla-beyla.yaml');
      expect((await store.get(request.id))!.lastApply?.commit?.sha).toBe(
        await repo.head(),
      );
      // Failed until it runs, as after an unreachable cluster: the GitOps
      // tool applies the commit and the request turns active.
      const gitops = await applier(repo.url);
      try {
        await gitops.waitForCommit(again.commit!.sha);
        const active = await reconcileUntil(
          reconciler,
          store,
          request.id,
          'active',
        );
        expect(active.lastApply?.error).toBeUndefined();
        expect(active.lastApply?.commit?.onCluster).toBe(true);
      } finally {
        await gitops.stop();
      }
    } finally {
      await teardown();
    }
  });

  it('names wrong credentials and writes nothing', async () => {
    const url = await server.createRepository('wrong-credentials');
    const cluster = localClusterSettings(kube.cluster, {
      token: readOnlyToken,
      config: {
        delivery: {
          type: 'git',
          git: { url, folder: FOLDER, username: 'tracegate', token: 'wrong' },
        },
      },
    });
    const requests = await storeAndReconciler(databases, cluster);
    const { reconciler, clusters } = requests;
    try {
      const request = await requests.approve();
      const result = await reconciler.reconcile('local');
      expect(result.errors[request.id]).toBe(
        `Not delivered: git fetch (${url}, branch main) failed: the repository refused the credentials (HTTP 401): check delivery.git.username/token, or the integration for its host`,
      );
      expect(
        (
          await git([
            '--git-dir',
            path.join(server.root, 'wrong-credentials.git'),
            'log',
            '--format=%s',
            'main',
          ])
        ).trim(),
      ).toBe('Start the cluster configuration');
    } finally {
      reconciler.stop();
      await clusters.close();
    }
  });
});
