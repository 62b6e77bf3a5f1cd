import {
  createTracegateServiceAccount,
  CRASHLOOP_STAGE,
  startControlPlane,
} from '@internal/local-kube';
import { parseBeylaSelections } from '../render';
import { KubeApi } from '../clusters/KubeApi';
import { createTestDatabases } from '../__testUtils__/databases';
import {
  liveBeylaConfig,
  localClusterSettings,
  reconcileUntil,
  useSeededCluster,
  storeAndReconciler,
} from '../__testUtils__/kube';

/**
 * Faults of the real control plane under a reconcile pass: the API server
 * process stopped in the middle of applying, and Tracegate's RBAC narrowed
 * while it runs. This file owns its cluster: it stops and restarts it.
 */

jest.setTimeout(300_000);

const databases = createTestDatabases();
const kube = useSeededCluster();

function setup(bearer = kube.token) {
  return storeAndReconciler(
    databases,
    localClusterSettings(kube.cluster, { token: bearer }),
  );
}

/** The workloads the config Beyla's DaemonSet names selects. */
async function discoveryWorkloads(): Promise<string[]> {
  const live = await liveBeylaConfig(kube.admin);
  return [...parseBeylaSelections(live!.text!).targets.keys()].map(
    key => key.split('/')[2],
  );
}

const checkout = {
  workload: { kind: 'Deployment' as const, name: 'checkout' },
};
const cart = { workload: { kind: 'Deployment' as const, name: 'cart' } };

it('API server stopped mid-apply: failed as unreachable, active once it is back, nothing lost', async () => {
  const { store, reconciler, approve, end } = await setup();
  const first = await approve(checkout);
  await reconcileUntil(reconciler, store, first.id, 'active');

  const second = await approve(cart);
  // The pass's first write finds the API server gone: stopped right then.
  const port = Number(new URL(kube.cluster.url).port);
  const realApply = KubeApi.prototype.apply;
  const applySpy = jest
    .spyOn(KubeApi.prototype, 'apply')
    .mockImplementationOnce(async function stopThenApply(
      this: KubeApi,
      ...args
    ) {
      await kube.cluster.stop({ keepData: true });
      return realApply.apply(this, args);
    });
  await reconciler.reconcile('local');
  applySpy.mockRestore();

  const failed = (await store.get(second.id))!;
  expect(failed.status).toBe('failed');
  expect(failed.lastApply!.error).toMatch(/^unreachable: /);

  // The same cluster comes back: its folder, port, CA and tokens.
  const stopped = kube.cluster;
  kube.cluster = await startControlPlane({
    dir: stopped.dir,
    port,
    nodes: 3,
    kwokStages: CRASHLOOP_STAGE,
  });
  await reconcileUntil(reconciler, store, second.id, 'active');
  expect((await store.get(first.id))!.status).toBe('active');
  expect((await discoveryWorkloads()).sort()).toEqual(['cart', 'checkout']);
  expect((await store.getHistory(second.id)).map(h => h.to)).toEqual([
    'pending',
    'approved',
    'failed',
    'active',
  ]);

  await end(first);
  await end(second);
  await reconciler.reconcile('local');
});

it('RBAC narrowed while running: failed with the verb it lacks, calmly, every pass', async () => {
  const account = 'tracegate-narrowed';
  const bearer = await createTracegateServiceAccount(kube.cluster, {
    name: account,
  });
  const { store, reconciler, approve, end } = await setup(bearer);
  const first = await approve(checkout);
  await reconcileUntil(reconciler, store, first.id, 'active');

  // The platform team takes `patch` on ConfigMaps away from Tracegate.
  await createTracegateServiceAccount(kube.cluster, {
    name: account,
    adjust: rule =>
      rule.resources?.includes('configmaps')
        ? { ...rule, verbs: rule.verbs.filter(verb => verb !== 'patch') }
        : rule,
  });
  const second = await approve(cart);
  // RBAC changes reach the authorizer within moments; then every pass
  // finds the same refusal and neither throws nor rewrites history.
  const failed = await reconcileUntil(reconciler, store, second.id, 'failed');
  expect(failed.lastApply!.error).toMatch(
    /^forbidden: .*cannot patch resource "configmaps"/,
  );
  for (let pass = 0; pass < 5; pass++) {
    await expect(reconciler.reconcile('local')).resolves.toBeDefined();
  }
  expect((await store.getHistory(second.id)).map(h => h.to)).toEqual([
    'pending',
    'approved',
    'failed',
  ]);
  expect((await store.get(second.id))!.lastApply!.error).toBe(
    failed.lastApply!.error,
  );

  // Rights back: the same passes bring it to active.
  await createTracegateServiceAccount(kube.cluster, { name: account });
  await reconcileUntil(reconciler, store, second.id, 'active');
  await end(first);
  await end(second);
  await reconciler.reconcile('local');
});
