import { TestDatabases } from '@backstage/backend-test-utils';
import { LocalControlPlane } from '@internal/local-kube';
import { TracingRequest } from '@tracegate/plugin-tracing-common';
import { ClusterSettings } from '../clusters/config';
import { KubeApi } from '../clusters/KubeApi';
import { tracingRequest } from '../__testUtils__/fixtures';
import {
  adminApi,
  localClusterSettings,
  reconcileUntil,
  startSeededCluster,
  storeAndReconciler,
  expectBeylaRemoved,
  handEditBeylaConfig,
} from '../__testUtils__/kube';
import { ClusterListService } from './ClusterListService';
import { EntityStatusService } from './EntityStatusService';
import { PreviewService } from './PreviewService';

jest.setTimeout(120_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3'],
  disableDocker: true,
});

let cluster: LocalControlPlane;
let settings: ClusterSettings;
let admin: KubeApi;

beforeAll(async () => {
  let token: string;
  ({ cluster, token } = await startSeededCluster());
  settings = localClusterSettings(cluster, { token });
  admin = adminApi(cluster);
}, 300_000);

afterAll(async () => {
  admin?.close();
  await cluster?.stop();
});

async function setup(clusterSettings: ClusterSettings = settings) {
  const { clusters, ...rest } = await storeAndReconciler(
    databases,
    clusterSettings,
  );
  return {
    ...rest,
    entityStatus: new EntityStatusService({ store: rest.store, clusters }),
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
  it('reports the discovery entry, the DaemonSet and the Prometheus tracingConfig', async () => {
    const { store, reconciler, approve, end, entityStatus } = await setup();
    const ebpf = await approve();
    const native = await approve({
      method: 'prometheus',
      namespace: 'monitoring',
      workload: { kind: 'Prometheus', name: 'k8s' },
      sampling: { sampler: 'traceidratio', ratio: 0.2 },
    });

    // Approved, nothing applied yet: the plan says so.
    const before = await entityStatus.entityStatus([
      (await store.get(ebpf.id))!,
    ]);
    expect(before.objects).toEqual([
      expect.objectContaining({
        kind: 'ConfigMap',
        present: false,
        detail: 'no discovery entry for this workload; not applied yet',
      }),
      expect.objectContaining({
        kind: 'DaemonSet',
        present: false,
        detail: 'missing; not applied yet',
      }),
    ]);

    await reconcileUntil(reconciler, store, ebpf.id, 'active');
    const after = await entityStatus.entityStatus([
      (await store.get(ebpf.id))!,
      (await store.get(native.id))!,
    ]);
    expect(after.objects).toEqual([
      {
        requestId: ebpf.id,
        cluster: 'local',
        kind: 'ConfigMap',
        namespace: 'beyla',
        name: 'beyla-config',
        present: true,
        detail: 'discovery entry present',
      },
      expect.objectContaining({
        kind: 'DaemonSet',
        present: true,
        detail: '3/3 nodes run the current config',
      }),
      {
        requestId: native.id,
        cluster: 'local',
        kind: 'Prometheus',
        namespace: 'monitoring',
        name: 'k8s',
        present: true,
        detail:
          'tracingConfig → tempo-distributor.tempo.svc:4317, samplingFraction 0.2; checked: the CR holds it; no operator status reported, so whether Prometheus loaded it is not known',
      },
    ]);

    // A hand edit that drops the entry shows as missing, with the pending change.
    await handEditBeylaConfig(admin);
    const edited = await entityStatus.entityStatus([
      (await store.get(ebpf.id))!,
    ]);
    expect(edited.objects[0]).toMatchObject({
      present: false,
      detail:
        'no discovery entry for this workload; differs from the desired state (.data.beyla-config.yml)',
    });

    await end(ebpf);
    await end(native);
    await reconciler.reconcile('local');
    await expectBeylaRemoved(admin);
  });

  it('says why when the cluster cannot be read', async () => {
    const { approve, entityStatus } = await setup(
      localClusterSettings(cluster, { token: 'not-a-token' }),
    );
    const request = await approve();
    const status = await entityStatus.entityStatus([request]);
    expect(status.objects).toEqual([
      expect.objectContaining({
        kind: 'ConfigMap',
        present: false,
        detail: expect.stringMatching(
          /; could not be read: unauthorized: the cluster refused/,
        ),
      }),
      expect.objectContaining({ kind: 'DaemonSet', present: false }),
    ]);
  });
});

describe('the preview', () => {
  it('shows the objects a new request changes and their diff by dry run, writing nothing', async () => {
    const { reconciler, approve, end, previews } = await setup();
    const existing = await approve();
    await reconciler.reconcile('local');
    const configBefore = await admin.get({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'beyla-config', namespace: 'beyla' },
    });

    const preview = await previews.preview(pendingRequest());
    expect(preview.objects.map(o => `${o.kind} ${o.name}`)).toEqual([
      'ConfigMap beyla-config',
      'DaemonSet beyla',
    ]);
    expect(preview.diffError).toBeUndefined();
    expect(preview.diff).toContain('+          k8s_deployment_name: cart');
    expect(preview.diff).toContain('+            arg: "0.1"');
    expect(preview.diff).toMatch(
      /-\s+checksum\/config: \w+\n\+\s+checksum\/config: \w+/,
    );
    const configAfter = await admin.get({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'beyla-config', namespace: 'beyla' },
    });
    expect(configAfter!.data).toEqual(configBefore!.data);

    await end(existing);
    await reconciler.reconcile('local');
    await expectBeylaRemoved(admin);
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
