import { TestDatabases } from '@backstage/backend-test-utils';
import { TracingRequest } from '@tracegate/plugin-tracing-common';
import { ClusterSettings } from '../clusters/config';
import { tracingRequest } from '../__testUtils__/fixtures';
import {
  localClusterSettings,
  reconcileUntil,
  useSeededCluster,
  storeAndReconciler,
  expectBeylaRemoved,
  liveBeylaConfig,
} from '../__testUtils__/kube';
import { ClusterListService } from './ClusterListService';
import { EntityStatusService } from './EntityStatusService';
import { PreviewService } from './PreviewService';

jest.setTimeout(120_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3'],
  disableDocker: true,
});

const kube = useSeededCluster();
let settings: ClusterSettings;

beforeAll(() => {
  settings = localClusterSettings(kube.cluster, { token: kube.token });
});

async function setup(clusterSettings: ClusterSettings = settings) {
  const { clusters, ...rest } = await storeAndReconciler(
    databases,
    clusterSettings,
  );
  return {
    ...rest,
    entityStatus: new EntityStatusService({
      clusterStore: rest.clusterStore,
      clusters,
    }),
    previews: new PreviewService({ store: rest.store, clusters }),
    clusterList: new ClusterListService(clusters),
  };
}

const pendingRequest = (change: Partial<TracingRequest> = {}) =>
  tracingRequest('', {
    entityRef: 'component:default/cart',
    workload: { kind: 'Deployment', name: 'cart' },
    sampling: { sampler: 'traceidratio', ratio: 0.1 },
    status: 'pending',
    ...change,
  });

describe('the entity status', () => {
  it('reports what the last pass found: Beyla, its entry and the Prometheus tracingConfig', async () => {
    const { store, reconciler, approve, end, entityStatus } = await setup();
    const ebpf = await approve();
    const native = await approve({
      method: 'prometheus',
      namespace: 'monitoring',
      workload: { kind: 'Prometheus', name: 'k8s' },
      sampling: { sampler: 'traceidratio', ratio: 0.2 },
    });

    // Approved, no pass yet: nothing recorded, and status reads no cluster.
    const before = await entityStatus.entityStatus([
      (await store.get(ebpf.id))!,
    ]);
    expect(before.objects).toEqual([
      {
        requestId: ebpf.id,
        cluster: 'local',
        kind: 'Cluster',
        name: 'local',
        present: false,
        detail: 'no reconcile pass has recorded this cluster yet',
      },
    ]);

    await reconcileUntil(reconciler, store, ebpf.id, 'active');
    const config = (await liveBeylaConfig(kube.admin))!.name;
    const after = await entityStatus.entityStatus([
      (await store.get(ebpf.id))!,
      (await store.get(native.id))!,
    ]);
    const row = (id: string, o: object) => ({
      requestId: id,
      cluster: 'local',
      ...o,
    });
    expect(after.objects).toEqual([
      row(ebpf.id, {
        kind: 'ConfigMap',
        namespace: 'beyla',
        name: config,
        present: true,
        detail: 'the current config',
      }),
      row(ebpf.id, {
        kind: 'DaemonSet',
        namespace: 'beyla',
        name: 'beyla',
        present: true,
        detail: '0 nodes without a ready Beyla',
      }),
      row(ebpf.id, {
        kind: 'Beyla discovery entry',
        name: 'shop/Deployment/checkout',
        present: true,
        detail: 'in the current config',
      }),
      row(native.id, {
        kind: 'Prometheus',
        namespace: 'monitoring',
        name: 'k8s',
        present: true,
        detail:
          'tracingConfig → tempo-distributor.tempo.svc:4317, samplingFraction 0.2; checked: the CR holds it; no operator status reported, so whether Prometheus loaded it is not known',
      }),
    ]);

    await end(ebpf);
    await end(native);
    await reconciler.reconcile('local');
    await expectBeylaRemoved(kube.admin);
  });

  it('says why when the cluster cannot be read', async () => {
    const { approve, reconciler, entityStatus, store } = await setup(
      localClusterSettings(kube.cluster, { token: 'not-a-token' }),
    );
    const request = await approve();
    await reconciler.reconcile('local');
    const status = await entityStatus.entityStatus([
      (await store.get(request.id))!,
    ]);
    expect(status.objects).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'Cluster',
          detail: expect.stringMatching(/^unauthorized: the cluster refused/),
        }),
      ]),
    );
    expect(status.requests[0].lastApply!.error).toMatch(/^unauthorized/);
  });
});

describe('the preview', () => {
  it('shows the objects a new request changes and their diff by dry run, writing nothing', async () => {
    const { reconciler, approve, end, previews } = await setup();
    const existing = await approve();
    await reconciler.reconcile('local');
    const before = (await liveBeylaConfig(kube.admin))!;

    const preview = await previews.preview(pendingRequest());
    expect(preview.objects.map(o => `${o.kind} ${o.name}`)).toEqual([
      expect.stringMatching(/^ConfigMap beyla-config-[0-9a-f]{12}$/),
      'DaemonSet beyla',
    ]);
    expect(preview.diffError).toBeUndefined();
    // The new config against the one Beyla's DaemonSet names now: one
    // entry line changes.
    expect(preview.diff).toContain(`ConfigMap beyla/${before.name} (live)`);
    expect(preview.diff).toContain(
      '\n+    ,{"k8s_namespace":"shop","k8s_deployment_name":"cart","sampler":{"name":"traceidratio","arg":"0.1"}}\n',
    );
    expect(preview.diff).not.toMatch(
      /^-\s+\{"k8s_namespace":"shop","k8s_deployment_name":"checkout"/m,
    );
    expect(preview.diff).toMatch(
      /-\s+name: beyla-config-[0-9a-f]{12}\n\+\s+name: beyla-config-[0-9a-f]{12}/,
    );
    // Nothing written: the DaemonSet still names the same config.
    expect((await liveBeylaConfig(kube.admin))!.name).toBe(before.name);

    await end(existing);
    await reconciler.reconcile('local');
    await expectBeylaRemoved(kube.admin);
  });

  it('says that a Prometheus CR that does not exist is not there', async () => {
    const { previews } = await setup();
    const preview = await previews.preview(
      pendingRequest({
        method: 'prometheus',
        namespace: 'shop',
        workload: { kind: 'Prometheus', name: 'checkout' },
      }),
    );
    expect(preview.objects.map(o => o.kind)).toContain('Prometheus');
    expect(preview.diffError).toBe(
      'not found: Prometheus shop/checkout does not exist',
    );
  });
});

describe('the cluster list', () => {
  it('lists reachability and version, or the reason', async () => {
    const { clusterList } = await setup();
    expect(await clusterList.listClusters()).toEqual([
      {
        name: 'local',
        beylaDialect: 'instrument',
        reachable: true,
        version: 'v1.35.4',
      },
    ]);
    const down = await setup({
      ...settings,
      connection: { ...settings.connection, url: 'https://127.0.0.1:9' } as any,
    });
    expect(await down.clusterList.listClusters()).toEqual([
      expect.objectContaining({
        reachable: false,
        error: expect.stringMatching(/^unreachable: .*ECONNREFUSED/),
      }),
    ]);
  });
});
