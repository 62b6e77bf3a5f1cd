import { TestDatabases } from '@backstage/backend-test-utils';
import {
  createTracegateServiceAccount,
  CRASHLOOP_BEYLA_IMAGE,
  deploymentManifest,
  SEED_DEPLOYMENTS,
  PLATFORM_FIELD_MANAGER,
  withoutDaemonSets,
} from '@internal/local-kube';
import https from 'node:https';
import { ClusterSettings } from '../clusters/config';
import { KubeApi } from '../clusters/KubeApi';
import { SYSTEM_ACTOR } from '../lifecycle/RequestTransitions';
import { configMapOfBeylaPod, parseBeylaSelections } from '../render';
import {
  localClusterSettings,
  reconcileUntil,
  useSeededCluster,
  storeAndReconciler,
  expectBeylaRemoved,
  handEditBeylaDaemonSet,
  liveBeylaConfig,
  waitForNamespaceGone,
} from '../__testUtils__/kube';
import { startTcpRelay } from '../__testUtils__/relay';
import { waitUntil } from '../__testUtils__/wait';

jest.setTimeout(120_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3'],
  disableDocker: true,
});

/** Something of the platform team's in namespace beyla, there before Tracegate. */
const platformNote = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'platform-notes', namespace: 'beyla' },
  data: { owner: 'platform-team' },
};

const kube = useSeededCluster({
  seed: ({ admin }) => admin.apply(platformNote).then(() => undefined),
});

function settings(url: string, bearer: string): ClusterSettings {
  return localClusterSettings(kube.cluster, { url, token: bearer });
}

async function setup(
  clusterSettings: ClusterSettings = settings(kube.cluster.url, kube.token),
) {
  return storeAndReconciler(databases, clusterSettings);
}

const beylaDaemonSet = {
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'beyla', namespace: 'beyla' },
};
const prometheusK8s = {
  apiVersion: 'monitoring.coreos.com/v1',
  kind: 'Prometheus',
  metadata: { name: 'k8s', namespace: 'monitoring' },
};

/** The discovery entries of the config Beyla's DaemonSet names now. */
async function discoveryEntries() {
  const live = await liveBeylaConfig(kube.admin);
  return live?.config?.discovery.instrument as
    | Array<Record<string, string>>
    | undefined;
}

/** The targets the config Beyla's DaemonSet names now selects. */
async function selectedTargets() {
  const text = (await liveBeylaConfig(kube.admin))?.text;
  return text === undefined
    ? undefined
    : [...parseBeylaSelections(text).targets.keys()];
}

/** The seed's cart Deployment, with `replicas` pods. */
function cartDeployment(replicas: number) {
  const seeded = SEED_DEPLOYMENTS.find(d => d.name === 'cart')!;
  return deploymentManifest({ ...seeded, entityId: 'cart', replicas });
}

/** Waits until `count` pods with these labels run in shop. */
async function waitUntilPods(labelSelector: string, count: number) {
  let running = 0;
  await waitUntil(
    `${count} pods of ${labelSelector} on nodes`,
    async () => {
      const pods = await kube.admin.list(
        { apiVersion: 'v1', kind: 'Pod' },
        labelSelector,
        'shop',
      );
      running = pods.filter(p => (p.spec as any).nodeName).length;
      return running === count;
    },
    { timeoutMs: 60_000, intervalMs: 200, detail: () => `${running} pods` },
  );
}

/** Waits until every node runs a ready Beyla pod. */
async function waitForBeylaReady() {
  await waitUntil(
    'a ready Beyla on each of the 3 nodes',
    async () => {
      const pods = await kube.admin.list(
        { apiVersion: 'v1', kind: 'Pod' },
        'app.kubernetes.io/name=beyla',
        'beyla',
      );
      const ready = pods.filter(p =>
        (p.status as any)?.conditions?.some(
          (c: any) => c.type === 'Ready' && c.status === 'True',
        ),
      );
      return ready.length === 3;
    },
    { timeoutMs: 60_000, intervalMs: 200 },
  );
}

/** The config Beyla's DaemonSet names now. */
async function configName() {
  return (await liveBeylaConfig(kube.admin))?.name;
}

/** Beyla's pods by node: name and the config each started with. */
async function beylaPodsByNode() {
  const pods = await kube.admin.list(
    { apiVersion: 'v1', kind: 'Pod' },
    'app.kubernetes.io/name=beyla',
    'beyla',
  );
  return Object.fromEntries(
    pods
      .filter(p => !(p.metadata as any).deletionTimestamp)
      .map(p => [
        (p.spec as any).nodeName,
        { name: p.metadata.name, config: configMapOfBeylaPod(p) },
      ]),
  );
}

/** Server-side count of writes to the kinds Tracegate manages (apiserver metrics). */
async function writeCount(): Promise<number> {
  const text = await new Promise<string>((resolve, reject) => {
    const req = https.request(
      `${kube.cluster.url}/metrics`,
      {
        ca: kube.cluster.caData,
        headers: { Authorization: `Bearer ${kube.cluster.adminToken}` },
      },
      res => {
        let body = '';
        res.on('data', c => (body += c));
        res.on('end', () => resolve(body));
      },
    );
    req.on('error', reject);
    req.end();
  });
  const resources = [
    'configmaps',
    'daemonsets',
    'namespaces',
    'serviceaccounts',
    'clusterroles',
    'clusterrolebindings',
    'prometheuses',
  ];
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    const verb = line.match(/verb="([A-Z]+)"/)?.[1] ?? '';
    const resource = line.match(/resource="([a-z]+)"/)?.[1] ?? '';
    // The controllers' status updates (a DaemonSet rolling out) are not ours.
    const subresource = line.match(/subresource="([a-z]*)"/)?.[1] ?? '';
    if (
      subresource === '' &&
      ['POST', 'PUT', 'PATCH', 'APPLY', 'DELETE', 'DELETECOLLECTION'].includes(
        verb,
      ) &&
      resources.includes(resource)
    ) {
      total += Number(line.split(' ').pop());
    }
  }
  return total;
}

describe('Reconciler against a real API server', () => {
  it("turns a request active only when Beyla runs its entry on the nodes of its target's pods", async () => {
    const { store, reconciler, approve, end } = await setup();
    const request = await approve();
    const pass = await reconciler.reconcile('local');
    expect(pass.clusterErrors).toEqual([]);
    // Accepted by the API server, not yet running: still approved.
    const applied = (await store.get(request.id))!;
    expect(applied.status).toBe('approved');
    expect(applied.lastApply!.rollout).toMatchObject({ complete: false });

    const active = await reconcileUntil(
      reconciler,
      store,
      request.id,
      'active',
    );
    // checkout runs one pod, on one node.
    expect(active.lastApply!.rollout).toEqual({
      desired: 1,
      updated: 1,
      ready: 1,
      complete: true,
    });
    expect(active.lastApply!.objects).toEqual([
      {
        kind: 'Beyla discovery entry',
        name: 'shop/Deployment/checkout',
        present: true,
        detail: 'in the current config',
      },
    ]);
    const pods = await kube.admin.list(
      { apiVersion: 'v1', kind: 'Pod' },
      'app.kubernetes.io/name=beyla',
      'beyla',
    );
    expect(pods.map(p => (p.spec as any).nodeName).sort()).toEqual([
      'kwok-node-0',
      'kwok-node-1',
      'kwok-node-2',
    ]);
    await end(request);
    await reconciler.reconcile('local');
    await expectBeylaRemoved(kube.admin);
  });

  it("restarts Beyla only where its target's pods run, also when they move there later", async () => {
    const { store, reconciler, approve, end } = await setup();
    const checkout = await approve();
    await reconcileUntil(reconciler, store, checkout.id, 'active');
    await waitForBeylaReady();
    const first = await beylaPodsByNode();
    expect(Object.keys(first).sort()).toEqual([
      'kwok-node-0',
      'kwok-node-1',
      'kwok-node-2',
    ]);

    // cart runs one pod: only its node gets a Beyla on the new config.
    const cartNodes = async () =>
      (
        await kube.admin.list(
          { apiVersion: 'v1', kind: 'Pod' },
          'app=cart',
          'shop',
        )
      ).map(p => (p.spec as any).nodeName as string);
    const [cartNode] = await cartNodes();
    const cart = await approve({
      workload: { kind: 'Deployment', name: 'cart' },
    });
    const active = await reconcileUntil(reconciler, store, cart.id, 'active');
    expect(active.lastApply!.rollout).toEqual({
      desired: 1,
      updated: 1,
      ready: 1,
      complete: true,
    });
    const second = await beylaPodsByNode();
    const current = await configName();
    expect(second[cartNode].name).not.toBe(first[cartNode].name);
    expect(second[cartNode].config).toBe(current);
    // The others untouched: the same pod, on the config it started with.
    const others = (byNode: typeof first) =>
      Object.entries(byNode).filter(([node]) => node !== cartNode);
    expect(others(second)).toEqual(others(first));
    expect(others(second)).toHaveLength(2);

    // cart scales up: its new pods land on nodes whose Beyla lacks it.
    await kube.admin.apply({ ...cartDeployment(3) } as never, { force: true });
    await waitUntilPods('app=cart', 3);
    const more = await cartNodes();
    let pods: Awaited<ReturnType<typeof beylaPodsByNode>> = {};
    await waitUntil(
      'Beyla restarted on the config with cart where cart runs',
      async () => {
        await reconciler.reconcile('local');
        pods = await beylaPodsByNode();
        return more.every(node => pods[node]?.config === current);
      },
      {
        timeoutMs: 60_000,
        intervalMs: 250,
        detail: () => JSON.stringify(pods),
      },
    );
    await kube.admin.apply({ ...cartDeployment(1) } as never, { force: true });
    await end(checkout);
    await end(cart);
    await reconciler.reconcile('local');
    await expectBeylaRemoved(kube.admin);
  });

  it("fails a request whose rollout misses the deadline, with the pods' reason", async () => {
    const { store, reconciler, approve, end } = await setup(
      localClusterSettings(kube.cluster, {
        token: kube.token,
        config: {
          beyla: {
            image: CRASHLOOP_BEYLA_IMAGE,
            rolloutDeadline: { seconds: 3 },
          },
        },
      }),
    );
    const request = await approve();
    const failed = await reconcileUntil(
      reconciler,
      store,
      request.id,
      'failed',
    );
    expect(failed.lastApply!.error).toMatch(
      /^Beyla did not start with its entry on every node that runs its pods within 3s: no ready Beyla on kwok-node-\d; 3 pods: CrashLoopBackOff, last Error \(exit 1\): parsing YAML configuration: GlobAttr: unexpected YAML node kind 4$/,
    );
    const history = await store.getHistory(request.id);
    expect(history.at(-1)).toMatchObject({
      to: 'failed',
      actor: SYSTEM_ACTOR,
      comment: failed.lastApply!.error,
    });
    await end(request);
    await reconciler.reconcile('local');
    await expectBeylaRemoved(kube.admin);
  });

  it('applies, updates and removes Beyla as ebpf requests come and go', async () => {
    const { store, reconciler, approve, end } = await setup();
    const checkout = await approve();
    await reconcileUntil(reconciler, store, checkout.id, 'active');

    expect(await store.get(checkout.id)).toMatchObject({
      status: 'active',
      lastApply: { at: expect.any(String) },
    });
    expect((await store.get(checkout.id))!.lastApply!.error).toBeUndefined();
    expect(await discoveryEntries()).toEqual([
      { k8s_namespace: 'shop', k8s_deployment_name: 'checkout' },
    ]);
    const firstConfig = await configName();
    for (const o of [
      {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'beyla', namespace: 'beyla' },
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: 'tracegate-beyla' },
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: 'tracegate-beyla' },
      },
    ]) {
      expect(await kube.admin.get(o)).toBeDefined();
    }
    const ns = await kube.admin.get({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'beyla' },
    });
    expect(ns!.metadata.labels!['pod-security.kubernetes.io/enforce']).toBe(
      'privileged',
    );

    const cart = await approve({
      workload: { kind: 'Deployment', name: 'cart' },
    });
    await reconciler.reconcile('local');
    // One entry for both: same namespace, kind and sampler.
    expect(await discoveryEntries()).toEqual([
      { k8s_namespace: 'shop', k8s_deployment_name: '{cart,checkout}' },
    ]);
    expect(await configName()).not.toBe(firstConfig);

    await end(checkout);
    await reconciler.reconcile('local');
    expect(await selectedTargets()).toEqual(['shop/Deployment/cart']);

    await end(cart);
    const result = await reconciler.reconcile('local');
    expect(result.deleted).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^v1\/ConfigMap\/beyla\/beyla-config-[0-9a-f]{12}$/,
        ),
        'apps/v1/DaemonSet/beyla/beyla',
      ]),
    );
    expect(await kube.admin.get(beylaDaemonSet)).toBeUndefined();
    // The platform made namespace beyla before Tracegate (the seed): its
    // labels go back, the namespace and what else it holds stay.
    expect(result.released).toContain('v1/Namespace//beyla');
    expect(result.deleted).not.toContain('v1/Namespace//beyla');
    expect(await kube.admin.get(platformNote)).toBeDefined();
    await expectBeylaRemoved(kube.admin);
  });

  it('deletes a namespace it created itself, and only that', async () => {
    // The shipped RBAC creates Beyla's namespace for Tracegate; a token that
    // may create namespaces lets Tracegate make one (and remove it after).
    const { reconciler, approve, end } = await setup(
      localClusterSettings(kube.cluster, {
        token: kube.cluster.adminToken,
        config: { beyla: { namespace: 'tracegate-beyla' } },
      }),
    );
    const request = await approve();
    await reconciler.reconcile('local');
    const ns = await kube.admin.get({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'tracegate-beyla' },
    });
    expect(ns!.metadata.annotations).toMatchObject({
      'tracegate.io/created': 'true',
    });
    await end(request);
    const result = await reconciler.reconcile('local');
    expect(result.deleted).toContain('v1/Namespace//tracegate-beyla');
    await waitForNamespaceGone(kube.admin, 'tracegate-beyla');
  });

  it('reports an object of the same name that it did not create, and leaves it alone', async () => {
    const { store, reconciler, approve, end } = await setup(
      localClusterSettings(kube.cluster, {
        token: kube.cluster.adminToken,
        config: { beyla: { namespace: 'data' } },
      }),
    );
    const theirs = {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: {
        name: 'beyla',
        namespace: 'data',
        labels: { team: 'data' },
      },
    };
    await kube.admin.apply(theirs);
    const request = await approve();
    await reconciler.reconcile('local');
    const failed = (await store.get(request.id))!;
    expect(failed.status).toBe('failed');
    expect(failed.lastApply!.error).toBe(
      'conflict: ServiceAccount data/beyla exists and was not created by Tracegate; it is not taken over (remove or rename it, or set beyla.namespace to another namespace)',
    );
    expect((await kube.admin.get(theirs))!.metadata.labels).toEqual({
      team: 'data',
    });
    await end(request);
    await reconciler.reconcile('local');
    expect(await kube.admin.get(theirs)).toBeDefined();
    await kube.admin.delete(theirs);
  });

  it('sets and releases only tracingConfig on a Prometheus CR', async () => {
    const { store, reconciler, approve, end } = await setup();
    const request = await approve({
      method: 'prometheus',
      namespace: 'monitoring',
      workload: { kind: 'Prometheus', name: 'k8s' },
      sampling: { sampler: 'traceidratio', ratio: 0.2 },
    });
    await reconciler.reconcile('local');
    expect((await store.get(request.id))!.status).toBe('active');
    let live = (await kube.admin.get(prometheusK8s))!.spec as any;
    expect(live.tracingConfig).toEqual({
      clientType: 'grpc',
      endpoint: 'tempo-distributor.tempo.svc:4317',
      insecure: true,
      samplingFraction: '0.2',
    });
    expect(live.retention).toBe('15d');

    await end(request);
    const result = await reconciler.reconcile('local');
    expect(result.released).toEqual([
      'monitoring.coreos.com/v1/Prometheus/monitoring/k8s',
    ]);
    live = (await kube.admin.get(prometheusK8s))!.spec as any;
    expect(live.tracingConfig).toBeUndefined();
    expect(live.retention).toBe('15d');
    expect(live.replicas).toBe(1);
  });

  it('sends no write on an idle pass and puts back a hand edit', async () => {
    const { store, reconciler, approve, end } = await setup();
    const request = await approve({
      workload: { kind: 'Deployment', name: 'ingest' },
      namespace: 'data',
    });
    await reconcileUntil(reconciler, store, request.id, 'active');

    const before = await writeCount();
    const idle = await reconciler.reconcile('local');
    expect(idle.applied).toEqual([]);
    expect(idle.deleted).toEqual([]);
    expect(await writeCount()).toBe(before);

    // Someone edits the DaemonSet by hand (kubectl edit is an update, not
    // an apply); the configs cannot be edited (immutable).
    await handEditBeylaDaemonSet(kube.admin);
    const repaired = await reconciler.reconcile('local');
    expect(repaired.applied).toEqual(['apps/v1/DaemonSet/beyla/beyla']);
    expect(
      ((await kube.admin.get(beylaDaemonSet))!.spec as any).template.spec
        .hostPID,
    ).toBe(true);

    await end(request);
    await reconciler.reconcile('local');
    await expectBeylaRemoved(kube.admin);
  });

  it('marks requests failed with a readable reason, and active again once the cluster is back', async () => {
    // A TCP relay in front of the API server: closing it is a real outage.
    const relay = await startTcpRelay(Number(new URL(kube.cluster.url).port));
    const port = relay.port;

    const { store, reconciler, approve, end, auditor } = await setup(
      settings(`https://127.0.0.1:${port}`, kube.token),
    );
    const request = await approve();

    await relay.cut();
    await reconciler.reconcile('local');
    const failed = (await store.get(request.id))!;
    expect(failed.status).toBe('failed');
    expect(failed.lastApply!.error).toMatch(/^unreachable: .*ECONNREFUSED/);

    await relay.restore();
    const back = await reconcileUntil(reconciler, store, request.id, 'active');
    expect(back.status).toBe('active');
    expect(back.lastApply!.error).toBeUndefined();
    expect((await store.getHistory(request.id)).map(h => h.to)).toEqual([
      'pending',
      'approved',
      'failed',
      'active',
    ]);
    // The reconciler's own steps go through the state machine: the system
    // actor in history, and an auditor event each.
    expect(
      (await store.getHistory(request.id)).slice(2).map(h => h.actor),
    ).toEqual([SYSTEM_ACTOR, SYSTEM_ACTOR]);
    expect(
      auditor.createEvent.mock.calls.map(([event]) => [
        event.eventId,
        event.meta,
      ]),
    ).toEqual([
      ['request-fail', { requestId: request.id }],
      ['request-activate', { requestId: request.id }],
    ]);

    await end(request);
    await reconciler.reconcile('local');
    await relay.cut();
    await expectBeylaRemoved(kube.admin);
  });

  it('reports forbidden when Tracegate lacks a verb', async () => {
    const weakToken = await createTracegateServiceAccount(kube.cluster, {
      name: 'tracegate-weak',
      adjust: withoutDaemonSets,
    });
    const { store, reconciler, approve } = await setup(
      settings(kube.cluster.url, weakToken),
    );
    const request = await approve();
    await reconciler.reconcile('local');
    const failed = (await store.get(request.id))!;
    expect(failed.status).toBe('failed');
    expect(failed.lastApply!.error).toMatch(/^forbidden: .*daemonsets/);
    // Clean up with the full token.
    const { reconciler: cleaner } = await setup();
    await cleaner.reconcile('local');
    await expectBeylaRemoved(kube.admin);
  });

  it('reports a conflict with another field manager and does not force', async () => {
    const { store, reconciler, approve, end } = await setup();
    const request = await approve();
    await reconciler.reconcile('local');
    // The platform team takes a DaemonSet field over with a forced apply.
    const platform = KubeApi.fromSettings(
      settings(kube.cluster.url, kube.cluster.adminToken),
    );
    await (platform as any).request(
      'PATCH',
      `/apis/apps/v1/namespaces/beyla/daemonsets/beyla?fieldManager=${PLATFORM_FIELD_MANAGER}&force=true`,
      {
        body: JSON.stringify({
          ...beylaDaemonSet,
          spec: { template: { spec: { hostPID: false } } },
        }),
        contentType: 'application/apply-patch+yaml',
      },
    );
    await reconciler.reconcile('local');
    const failed = (await store.get(request.id))!;
    expect(failed.status).toBe('failed');
    expect(failed.lastApply!.error).toMatch(
      /^conflict with another field manager: .*platform-team/,
    );
    // hostPID false: left out of the answer (omitempty).
    expect(
      ((await kube.admin.get(beylaDaemonSet))!.spec as any).template.spec
        .hostPID,
    ).toBeUndefined();

    await end(request);
    await reconciler.reconcile('local');
    await expectBeylaRemoved(kube.admin);
  });

  it('removes the config of an expired request', async () => {
    const { reconciler, approve, end } = await setup();
    const request = await approve({
      workload: { kind: 'Deployment', name: 'cart' },
    });
    await reconciler.reconcile('local');
    expect(await selectedTargets()).toEqual(['shop/Deployment/cart']);
    await end(request, 'expired');
    await reconciler.reconcile('local');
    await expectBeylaRemoved(kube.admin);
  });
});
