import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { GitDeliverySettings } from '../clusters/config';
import { renderCluster } from '../render';
import { servedBy } from '../plan';
import { testClusterSettings, tracingRequest } from '../__testUtils__/fixtures';
import { gitAuthorization } from './credentials';
import {
  changedRequestIds,
  commitMessage,
  isTracegateFile,
  manifestFiles,
  requestIdsOf,
} from './manifestFiles';
import { parse } from 'yaml';
import { ClusterRegistry } from '../clusters/ClusterRegistry';
import { TracingRequestStore } from '../database/TracingRequestStore';
import { PreviewService } from '../status/PreviewService';

const cluster = testClusterSettings({
  delivery: { type: 'git', git: { url: 'https://git.example.com/p/c.git' } },
});

function filesFor(requests: ReturnType<typeof tracingRequest>[]) {
  return manifestFiles(
    'local',
    renderCluster(cluster, requests).map(object => ({
      object,
      requestIds: servedBy(object, requests),
    })),
  );
}

describe('the files of a git delivery', () => {
  const a = tracingRequest('a', {
    decision: { by: 'user:default/ada', at: '2026-12-06T10:00:00.000Z' },
  });
  const b = tracingRequest('b', {
    workload: { kind: 'Deployment', name: 'cart' },
    decision: { by: 'tracegate:policy', at: '2026-12-06T10:00:00.000Z' },
  });

  it("holds one file per object, marked as Tracegate's and naming the requests it serves", () => {
    const files = filesFor([a, b]);
    expect([...files.keys()]).toEqual([
      'namespace-cluster-scoped-beyla.yaml',
      'serviceaccount-beyla-beyla.yaml',
      'clusterrole-cluster-scoped-tracegate-beyla.yaml',
      'clusterrolebinding-cluster-scoped-tracegate-beyla.yaml',
      expect.stringMatching(/^configmap-beyla-beyla-config-[0-9a-f]+\.yaml$/),
      'daemonset-beyla-beyla.yaml',
    ]);
    const daemonSet = files.get('daemonset-beyla-beyla.yaml')!;
    expect(isTracegateFile('local', daemonSet)).toBe(true);
    expect(isTracegateFile('other', daemonSet)).toBe(false);
    expect(requestIdsOf(daemonSet)).toEqual(['a', 'b']);
    const object = parse(daemonSet);
    // Created by Tracegate (as an apply marks it); the controller rolls it.
    expect(object.metadata.annotations['tracegate.io/created']).toBe('true');
    expect(object.spec.updateStrategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: 10, maxUnavailable: 0 },
    });
    // The namespace is the platform's: kept when its file goes.
    const namespace = parse(files.get('namespace-cluster-scoped-beyla.yaml')!);
    expect(namespace.metadata.annotations).toEqual({
      'argocd.argoproj.io/sync-options': 'Prune=false',
      'kustomize.toolkit.fluxcd.io/prune': 'disabled',
    });
  });

  it('names the requests a change turns on and off, who asked and who approved', () => {
    const before = filesFor([a]);
    const after = filesFor([b]);
    expect(changedRequestIds(before, after)).toEqual(new Set(['b']));
    const message = commitMessage({
      cluster: 'local',
      before,
      after,
      requests: [b],
    });
    expect(message.split('\n')[0]).toBe(
      'Tracegate local: turn on 1 request, turn off 1 request',
    );
    expect(message).toContain(
      'Turn on ebpf tracing of Deployment shop/cart (parentbased_traceidratio 0.5) until 2099-01-01T00:00:00.000Z: request b by user:default/guest, approved by tracegate:policy.',
    );
    expect(message).toContain(
      'Turn off request a: no longer live (revoked, expired or replaced).',
    );
    expect(message).toMatch(/ {2}changed {2}daemonset-beyla-beyla\.yaml/);
    expect(message).toMatch(/ {2}added {4}configmap-beyla-beyla-config-/);
    expect(message).toMatch(/ {2}removed {2}configmap-beyla-beyla-config-/);
  });

  it('says so when the files only come back to the live requests (a hand edit)', () => {
    const files = filesFor([a]);
    const edited = new Map(files);
    edited.set(
      'daemonset-beyla-beyla.yaml',
      `${files.get('daemonset-beyla-beyla.yaml')}# edited\n`,
    );
    expect(
      commitMessage({
        cluster: 'local',
        before: edited,
        after: files,
        requests: [a],
      }).split('\n')[0],
    ).toBe('Tracegate local: bring the files back to the live requests');
  });
});

describe('git credentials', () => {
  const settings = (
    url: string,
    credentials?: GitDeliverySettings['credentials'],
  ): GitDeliverySettings => ({
    type: 'git',
    url,
    branch: 'main',
    folder: 'f',
    author: { name: 'T', email: 't@e' },
    ...(credentials ? { credentials } : {}),
  });
  const integrations = ScmIntegrations.fromConfig(
    new ConfigReader({
      integrations: {
        github: [{ host: 'github.com', token: 'ghp-token' }],
        gitlab: [
          {
            host: 'gitlab.example.com',
            apiBaseUrl: 'https://gitlab.example.com/api/v4',
            token: 'glpat-token',
          },
        ],
        gitea: [{ host: 'gitea.example.com', username: 'bot', password: 'pw' }],
        bitbucketServer: [
          {
            host: 'bitbucket.example.com',
            apiBaseUrl: 'https://bitbucket.example.com/rest/api/1.0',
            token: 'bb-token',
          },
        ],
      },
    }),
  );
  const basic = (user: string, password: string) =>
    `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

  it.each([
    [
      'https://github.com/acme/gitops.git',
      basic('x-access-token', 'ghp-token'),
    ],
    [
      'https://gitlab.example.com/acme/gitops.git',
      basic('oauth2', 'glpat-token'),
    ],
    ['https://gitea.example.com/acme/gitops.git', basic('bot', 'pw')],
    ['https://bitbucket.example.com/scm/acme/gitops.git', 'Bearer bb-token'],
    ['https://git.other.example/acme/gitops.git', undefined],
  ])('finds the integration of %s', async (url, header) => {
    expect(await gitAuthorization(settings(url), integrations)()).toBe(header);
  });

  it("takes the cluster's own username and token first", async () => {
    expect(
      await gitAuthorization(
        settings('https://github.com/acme/gitops.git', {
          username: 'me',
          token: 't',
        }),
        integrations,
      )(),
    ).toBe(basic('me', 't'));
  });
});

describe('the preview of a git-delivered cluster', () => {
  it('shows the diff of the files approval commits, and says where they go; the cluster is not asked', async () => {
    const live = tracingRequest('a');
    const store = {
      listByCluster: async () => [live],
    } as unknown as TracingRequestStore;
    const clusters = new ClusterRegistry([cluster], () => {
      throw new Error('a git-delivered preview must not ask the cluster');
    });
    const preview = await new PreviewService({ store, clusters }).preview(
      tracingRequest('', {
        status: 'pending',
        workload: { kind: 'Deployment', name: 'cart' },
      }),
    );
    expect(preview.diffError).toBeUndefined();
    const diff = preview.diff!;
    expect(diff).toContain('--- a/tracegate/local/daemonset-beyla-beyla.yaml');
    expect(diff).toContain('+++ b/tracegate/local/daemonset-beyla-beyla.yaml');
    expect(diff).toContain('-# tracegate-requests: a');
    expect(diff).toContain('+# tracegate-requests: a preview');
    expect(diff).toMatch(
      /--- \/dev\/null\n\+\+\+ b\/tracegate\/local\/configmap-beyla-beyla-config-/,
    );
    expect(preview.notes).toContainEqual(
      expect.stringMatching(
        /^Cluster local is changed through git: approval commits these files to https:\/\/git\.example\.com\/p\/c\.git \(branch main, folder tracegate\/local\)/,
      ),
    );
  });
});
