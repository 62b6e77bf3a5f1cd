import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
  VersionApi,
} from '@kubernetes/client-node';
import fs from 'node:fs';
import net from 'node:net';
import { createTracegateServiceAccount, statusCode } from './access';
import { LocalControlPlane, startControlPlane } from './controlPlane';
import { SEED_DEPLOYMENTS, SEED_PROMETHEUS, seedPlatform } from './seed';

jest.setTimeout(120_000);

function applyAs(
  cluster: LocalControlPlane,
  fieldManager: string,
  object: KubernetesObject,
  token?: string,
) {
  return KubernetesObjectApi.makeApiClient(cluster.kubeConfig(token)).patch(
    object,
    undefined,
    undefined,
    fieldManager,
    false,
    PatchStrategy.ServerSideApply,
  );
}

function configMap(name: string, data: Record<string, string>) {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'beyla' },
    data,
  };
}

async function rejection(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return error as { code?: number; body?: string };
  }
  throw new Error('expected the API server to refuse');
}

describe('local control plane', () => {
  let cluster: LocalControlPlane;
  let tracegateToken: string;

  beforeAll(async () => {
    cluster = await startControlPlane();
    await seedPlatform(cluster);
    tracegateToken = await createTracegateServiceAccount(cluster);
  }, 300_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  it('reports the real Kubernetes release', async () => {
    const version = await cluster
      .kubeConfig()
      .makeApiClient(VersionApi)
      .getCode();
    expect(version.gitVersion).toMatch(/^v1\.\d+\.\d+$/);
    expect(version.gitVersion).toBe(cluster.version);
  });

  it('writes an admin kubeconfig that points at the server', () => {
    const kubeconfig = JSON.parse(
      fs.readFileSync(cluster.kubeconfigFile, 'utf8'),
    );
    expect(kubeconfig.clusters[0].cluster.server).toBe(cluster.url);
  });

  it('seeds the demo Deployments and the Prometheus CR', async () => {
    const apps = cluster.kubeConfig().makeApiClient(AppsV1Api);
    for (const { namespace, name } of SEED_DEPLOYMENTS) {
      const deployment = await apps.readNamespacedDeployment({
        namespace,
        name,
      });
      expect(deployment.metadata?.labels?.['backstage.io/kubernetes-id']).toBe(
        name,
      );
    }
    const prometheus = (await cluster
      .kubeConfig()
      .makeApiClient(CustomObjectsApi)
      .getNamespacedCustomObject({
        group: 'monitoring.coreos.com',
        version: 'v1',
        plural: 'prometheuses',
        ...SEED_PROMETHEUS,
      })) as { spec: { retention: string; tracingConfig?: unknown } };
    expect(prometheus.spec.retention).toBe('15d');
    expect(prometheus.spec.tracingConfig).toBeUndefined();
  });

  it('creates a ConfigMap and reports a server-side apply conflict between field managers', async () => {
    await applyAs(cluster, 'team-a', configMap('shared', { owner: 'a' }));
    // Re-applying the same intent by the same manager is fine.
    await applyAs(cluster, 'team-a', configMap('shared', { owner: 'a' }));

    const conflict = await rejection(
      applyAs(cluster, 'team-b', configMap('shared', { owner: 'b' })),
    );
    expect(conflict.code).toBe(409);
    expect(String(conflict.body)).toContain('conflict');

    const live = await cluster
      .kubeConfig()
      .makeApiClient(CoreV1Api)
      .readNamespacedConfigMap({ namespace: 'beyla', name: 'shared' });
    expect(live.data).toEqual({ owner: 'a' });
  });

  it.each([
    ['samplingFraction', { endpoint: 'tempo:4317', samplingFraction: 'half' }],
    ['clientType', { endpoint: 'tempo:4317', clientType: 'udp' }],
  ])(
    'rejects a Prometheus tracingConfig with an invalid %s',
    async (field, tracingConfig) => {
      const invalid = await rejection(
        applyAs(cluster, 'tracegate', {
          apiVersion: 'monitoring.coreos.com/v1',
          kind: 'Prometheus',
          metadata: SEED_PROMETHEUS,
          spec: { tracingConfig },
        } as KubernetesObject),
      );
      expect(invalid.code).toBe(422);
      expect(String(invalid.body)).toContain(`spec.tracingConfig.${field}`);
    },
  );

  it('accepts a valid tracingConfig and keeps the platform team fields', async () => {
    await applyAs(cluster, 'tracegate', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'Prometheus',
      metadata: SEED_PROMETHEUS,
      spec: {
        tracingConfig: {
          clientType: 'grpc',
          endpoint: 'tempo-distributor.tempo.svc:4317',
          insecure: true,
          samplingFraction: '0.25',
        },
      },
    } as KubernetesObject);
    const live = (await cluster
      .kubeConfig()
      .makeApiClient(CustomObjectsApi)
      .getNamespacedCustomObject({
        group: 'monitoring.coreos.com',
        version: 'v1',
        plural: 'prometheuses',
        ...SEED_PROMETHEUS,
      })) as {
      spec: { retention: string; tracingConfig: { samplingFraction: string } };
    };
    expect(live.spec.tracingConfig.samplingFraction).toBe('0.25');
    expect(live.spec.retention).toBe('15d');
  });

  describe('the Tracegate ServiceAccount', () => {
    it('may apply what the applier manages', async () => {
      const applied = await applyAs(
        cluster,
        'tracegate',
        configMap('beyla-config', { 'beyla-config.yml': 'discovery: {}\n' }),
        tracegateToken,
      );
      expect(applied.metadata?.name).toBe('beyla-config');
    });

    it('is refused anything outside its role', async () => {
      const kc = cluster.kubeConfig(tracegateToken);
      const core = kc.makeApiClient(CoreV1Api);
      const apps = kc.makeApiClient(AppsV1Api);
      // Thunks, so that each refusal is awaited as it happens.
      const refusals = [
        () => core.listSecretForAllNamespaces(),
        () =>
          core.createNamespacedPod({
            namespace: 'shop',
            body: {
              metadata: { name: 'intruder' },
              spec: { containers: [{ name: 'x', image: 'busybox' }] },
            },
          }),
        () =>
          apps.deleteNamespacedDeployment({
            namespace: 'shop',
            name: 'checkout',
          }),
        () =>
          apps.patchNamespacedDeployment({
            namespace: 'shop',
            name: 'checkout',
            body: [{ op: 'replace', path: '/spec/replicas', value: 0 }],
          }),
      ];
      for (const refused of refusals) {
        expect((await rejection(refused())).code).toBe(403);
      }
    });
  });

  it('finishes deleting a namespace (the namespace controller runs)', async () => {
    const core = cluster.kubeConfig().makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'short-lived' } } });
    await core.createNamespacedConfigMap({
      namespace: 'short-lived',
      body: { metadata: { name: 'leftover' } },
    });
    await core.deleteNamespace({ name: 'short-lived' });
    const deadline = Date.now() + 60_000;
    let gone = false;
    while (!gone && Date.now() < deadline) {
      try {
        await core.readNamespace({ name: 'short-lived' });
        await new Promise(resolve => setTimeout(resolve, 250));
      } catch (error) {
        gone = statusCode(error) === 404;
      }
    }
    expect(gone).toBe(true);
  });
});

describe('stopping the control plane', () => {
  it('ends the process and frees the port', async () => {
    const cluster = await startControlPlane();
    const port = Number(new URL(cluster.url).port);
    await cluster.stop();

    expect(() => process.kill(cluster.pid, 0)).toThrow();
    const free = await new Promise<boolean>(resolve => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    expect(free).toBe(true);
  }, 180_000);
});
