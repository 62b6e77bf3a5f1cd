import { TestDatabases } from '@backstage/backend-test-utils';
import { beylaStartDelayStage, deploymentManifest } from '@internal/local-kube';
import { KubeObject } from '../render/types';
import {
  expectBeylaRemoved,
  localClusterSettings,
  reconcileUntil,
  useSeededCluster,
  storeAndReconciler,
} from '../__testUtils__/kube';
import { waitUntil } from '../__testUtils__/wait';

/*
 * Nodes filled to their pod capacity (8 here, to keep the test short; KWOK
 * nodes report it like real ones), with more pods waiting for room. A change
 * restarts Beyla on a full node: its replacement must get a slot there, and
 * Beyla's PriorityClass lets the scheduler preempt a pod for it. Without one,
 * Tracegate leaves that node its Beyla (on its old config) and says why.
 */

jest.setTimeout(300_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3'],
  disableDocker: true,
});

const PODS_PER_NODE = 8;
const NODES = ['kwok-node-0', 'kwok-node-1', 'kwok-node-2'];

const kube = useSeededCluster({
  podsPerNode: PODS_PER_NODE,
  kwokStages: beylaStartDelayStage(1_000),
});

const isReady = (pod: KubeObject) =>
  !(pod.metadata as any).deletionTimestamp &&
  Boolean(
    (pod.status as any)?.conditions?.some(
      (c: any) => c.type === 'Ready' && c.status === 'True',
    ),
  );

/** Nodes without a ready Beyla pod now. */
async function nodesWithoutBeyla(): Promise<string[]> {
  const pods = await kube.admin.list(
    { apiVersion: 'v1', kind: 'Pod' },
    'app.kubernetes.io/name=beyla',
    'beyla',
  );
  const ready = new Set(
    pods.filter(isReady).map(p => (p.spec as any).nodeName),
  );
  return NODES.filter(n => !ready.has(n));
}

/** Fills every node to capacity, with `pending` more pods waiting for room. */
async function fillNodes(pending: number) {
  const pods = await kube.admin.list({ apiVersion: 'v1', kind: 'Pod' });
  const used = pods.filter(
    p =>
      (p.spec as any).nodeName &&
      !['Succeeded', 'Failed'].includes((p.status as any)?.phase),
  ).length;
  const filler = deploymentManifest({
    namespace: 'data',
    name: 'filler',
    entityId: 'filler',
    replicas: NODES.length * PODS_PER_NODE - used + pending,
  });
  await kube.admin.apply(filler as never, { force: true });
  let bound = 0;
  await waitUntil(
    'every node full',
    async () => {
      const all = await kube.admin.list({ apiVersion: 'v1', kind: 'Pod' });
      bound = all.filter(p => (p.spec as any).nodeName).length;
      return bound >= NODES.length * PODS_PER_NODE;
    },
    {
      timeoutMs: 120_000,
      intervalMs: 250,
      detail: () => `${bound} pods bound`,
    },
  );
  return filler;
}

describe('Beyla on full nodes', () => {
  it('with a PriorityClass, a full node gets its new Beyla, and no node stays without one', async () => {
    const { store, reconciler, approve, end } = await storeAndReconciler(
      databases,
      localClusterSettings(kube.cluster, { token: kube.token }),
    );
    const checkout = await approve();
    await reconcileUntil(reconciler, store, checkout.id, 'active');
    const beylaPods = await kube.admin.list(
      { apiVersion: 'v1', kind: 'Pod' },
      'app.kubernetes.io/name=beyla',
      'beyla',
    );
    // The API server admitted system-node-critical in Beyla's namespace.
    expect(beylaPods.map(p => (p.spec as any).priority)).toEqual(
      NODES.map(() => 2_000_001_000),
    );
    const filler = await fillNodes(6);

    // cart's pod sits on a full node: its Beyla restarts there.
    const cart = await approve({
      workload: { kind: 'Deployment', name: 'cart' },
    });
    const gaps: string[][] = [];
    let request = cart;
    await waitUntil(
      'cart active with a ready Beyla on every node',
      async () => {
        await reconciler.reconcile('local');
        gaps.push(await nodesWithoutBeyla());
        request = (await store.get(cart.id))!;
        return request.status === 'active' && gaps.at(-1)!.length === 0;
      },
      {
        timeoutMs: 120_000,
        intervalMs: 250,
        detail: () =>
          `${request.status} ${JSON.stringify(
            request.lastApply,
          )}; without Beyla: ${gaps.at(-1)}`,
      },
    );
    // Every node has a ready Beyla again, and a node was without one only
    // while its Beyla restarted (a few samples), never for good.
    expect(await nodesWithoutBeyla()).toEqual([]);
    expect(gaps.filter(g => g.length).length).toBeLessThan(gaps.length);

    await kube.admin.delete(filler as never);
    await end(checkout);
    await end(cart);
    await reconciler.reconcile('local');
    await expectBeylaRemoved(kube.admin);
  });

  it('without one, a full node keeps its Beyla on the old config, and the request says which node', async () => {
    const { store, reconciler, approve, end } = await storeAndReconciler(
      databases,
      localClusterSettings(kube.cluster, {
        token: kube.token,
        config: { beyla: { priorityClassName: false } },
      }),
    );
    const checkout = await approve();
    await reconcileUntil(reconciler, store, checkout.id, 'active');
    const filler = await fillNodes(6);
    const cartPod = (
      await kube.admin.list(
        { apiVersion: 'v1', kind: 'Pod' },
        'app=cart',
        'shop',
      )
    )[0];
    const cartNode = (cartPod.spec as any).nodeName;

    const cart = await approve({
      workload: { kind: 'Deployment', name: 'cart' },
    });
    for (let pass = 0; pass < 3; pass++) await reconciler.reconcile('local');
    const waiting = (await store.get(cart.id))!;
    expect(waiting.status).toBe('approved');
    expect(waiting.lastApply!.rollout).toMatchObject({
      desired: 1,
      updated: 0,
      complete: false,
      message: expect.stringContaining(
        `${cartNode}: it runs pods of shop/Deployment/cart, whose selection changed, but the node is full (${PODS_PER_NODE}/${PODS_PER_NODE} pods)`,
      ),
    });
    // Its Beyla was not taken away.
    expect(await nodesWithoutBeyla()).toEqual([]);

    await kube.admin.delete(filler as never);
    await end(checkout);
    await end(cart);
    await reconciler.reconcile('local');
    await expectBeylaRemoved(kube.admin);
  });
});
