import { TestDatabases } from '@backstage/backend-test-utils';
import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  RbacAuthorizationV1Api,
} from '@kubernetes/client-node';
import {
  expectBeylaRemoved,
  localClusterSettings,
  reconcileUntil,
  useSeededCluster,
  storeAndReconciler,
} from '../__testUtils__/kube';

/*
 * What Tracegate's cluster token may do, with exactly the shipped RBAC
 * (deploy/rbac.yaml, as `yarn tracegate-rbac` writes it for the defaults):
 * Tracegate's whole loop works, and a holder of the token cannot harm what
 * Tracegate does not manage. The cluster's counterpart of the HTTP
 * authorization matrix (authorization.test.ts).
 */

jest.setTimeout(240_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3'],
  disableDocker: true,
});

const kube = useSeededCluster();

/** The HTTP status the API server answered `call` with, as Tracegate. */
async function statusOf(call: (kc: KubeConfig) => Promise<unknown>) {
  try {
    await call(kube.cluster.kubeConfig(kube.token));
    return 200;
  } catch (error) {
    const code = (error as { code?: number }).code;
    if (typeof code !== 'number') throw error;
    return code;
  }
}

const core = (kc: KubeConfig) => kc.makeApiClient(CoreV1Api);
const apps = (kc: KubeConfig) => kc.makeApiClient(AppsV1Api);
const rbac = (kc: KubeConfig) => kc.makeApiClient(RbacAuthorizationV1Api);
// client-node sends a patch as a JSON patch (its first content type).
const labelPatch = [
  { op: 'add', path: '/metadata/labels/tracegate-test', value: 'x' },
];
const daemonSet = (namespace: string) => ({
  metadata: { name: 'not-beyla', namespace },
  spec: {
    selector: { matchLabels: { app: 'not-beyla' } },
    template: {
      metadata: { labels: { app: 'not-beyla' } },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    },
  },
});

/** Each write a stolen token might try, and what the API server answers. */
const CLUSTER_MATRIX: Array<{
  write: string;
  status: number;
  call: (kc: KubeConfig) => Promise<unknown>;
}> = [
  {
    write: 'delete another namespace (shop)',
    status: 403,
    call: kc => core(kc).deleteNamespace({ name: 'shop' }),
  },
  {
    write: 'delete Beyla’s namespace',
    status: 403,
    call: kc => core(kc).deleteNamespace({ name: 'beyla' }),
  },
  {
    write: 'create a namespace',
    status: 403,
    call: kc =>
      core(kc).createNamespace({ body: { metadata: { name: 'stolen' } } }),
  },
  {
    write: 'patch a ConfigMap in kube-system',
    status: 403,
    call: kc =>
      core(kc).patchNamespacedConfigMap({
        name: 'kube-root-ca.crt',
        namespace: 'kube-system',
        body: labelPatch,
      }),
  },
  {
    write: 'create a ConfigMap in kube-system',
    status: 403,
    call: kc =>
      core(kc).createNamespacedConfigMap({
        namespace: 'kube-system',
        body: { metadata: { name: 'stolen' } },
      }),
  },
  {
    write: 'create a DaemonSet outside Beyla’s namespace (shop)',
    status: 403,
    call: kc =>
      apps(kc).createNamespacedDaemonSet({
        namespace: 'shop',
        body: daemonSet('shop'),
      }),
  },
  {
    write: 'delete a pod outside Beyla’s namespace',
    status: 403,
    call: async kc => {
      const [pod] = (await core(kc).listNamespacedPod({ namespace: 'shop' }))
        .items;
      await core(kc).deleteNamespacedPod({
        name: pod.metadata!.name!,
        namespace: 'shop',
      });
    },
  },
  {
    write: 'bind cluster-admin to itself',
    status: 403,
    call: kc =>
      rbac(kc).createClusterRoleBinding({
        body: {
          metadata: { name: 'stolen-admin' },
          roleRef: {
            apiGroup: 'rbac.authorization.k8s.io',
            kind: 'ClusterRole',
            name: 'cluster-admin',
          },
          subjects: [
            {
              kind: 'ServiceAccount',
              name: 'tracegate',
              namespace: 'tracegate-system',
            },
          ],
        },
      }),
  },
  {
    write: 'create a ClusterRole with rights it lacks (escalation)',
    status: 403,
    call: kc =>
      rbac(kc).createClusterRole({
        body: {
          metadata: { name: 'stolen-all' },
          rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }],
        },
      }),
  },
  {
    write: 'patch a ClusterRole other than tracegate-beyla (admin)',
    status: 403,
    call: kc => rbac(kc).patchClusterRole({ name: 'admin', body: labelPatch }),
  },
  {
    write: 'read a Secret',
    status: 403,
    call: kc => core(kc).listSecretForAllNamespaces(),
  },
  // What it needs, so that the 403s above are the RBAC's and not a broken token.
  {
    write: 'label Beyla’s namespace',
    status: 200,
    call: kc => core(kc).patchNamespace({ name: 'beyla', body: labelPatch }),
  },
  {
    write: 'create and delete a ConfigMap in Beyla’s namespace',
    status: 200,
    call: async kc => {
      await core(kc).createNamespacedConfigMap({
        namespace: 'beyla',
        body: { metadata: { name: 'tracegate-token-check' } },
      });
      await core(kc).deleteNamespacedConfigMap({
        name: 'tracegate-token-check',
        namespace: 'beyla',
      });
    },
  },
];

describe('Tracegate’s cluster token, with exactly the shipped RBAC', () => {
  it.each(CLUSTER_MATRIX)('$write: $status', async ({ call, status }) => {
    expect(await statusOf(call)).toBe(status);
  });

  it('runs the whole loop: approve, Beyla on the nodes, revoke, expiry', async () => {
    const { store, reconciler, approve, end } = await storeAndReconciler(
      databases,
      localClusterSettings(kube.cluster, { token: kube.token }),
    );
    const checkout = await approve();
    const cart = await approve({
      workload: { kind: 'Deployment', name: 'cart' },
    });
    await reconcileUntil(reconciler, store, checkout.id, 'active');
    await reconcileUntil(reconciler, store, cart.id, 'active');
    const beyla = await kube.admin.get({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'beyla', namespace: 'beyla' },
    });
    expect(beyla).toBeDefined();

    await end(checkout, 'revoked');
    await reconciler.reconcile('local');
    expect((await store.get(checkout.id))!.status).toBe('revoked');
    await end(cart, 'expired');
    const last = await reconciler.reconcile('local');
    expect(last.clusterErrors).toEqual([]);
    await expectBeylaRemoved(kube.admin);
  });
});
