import {
  ApiextensionsV1Api,
  KubernetesObject,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
} from '@kubernetes/client-node';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { parse } from 'yaml';
import { oraclePod, OraclePodCase } from '@internal/beyla-oracle';
import { LocalControlPlane } from './controlPlane';

/** The field manager that plays the platform team's own tooling. */
export const PLATFORM_FIELD_MANAGER = 'platform-team';

/** Namespaces of a platform installation and of the demo teams. */
export const SEED_NAMESPACES = ['beyla', 'monitoring', 'tempo', 'shop', 'data'];

/** The demo services' Deployments (catalog/services.yaml names them). */
export const SEED_DEPLOYMENTS: Array<{
  namespace: string;
  name: string;
  image: string;
  port: number;
  podLabels?: Record<string, string>;
  env?: Array<{ name: string; value: string }>;
}> = [
  {
    namespace: 'shop',
    name: 'checkout',
    image: 'ghcr.io/example/checkout:1.4.2',
    port: 8080,
  },
  // Installed by a Helm chart: Beyla names its spans after the release.
  {
    namespace: 'shop',
    name: 'cart',
    image: 'ghcr.io/example/cart:2.0.0',
    port: 8080,
    podLabels: {
      'app.kubernetes.io/instance': 'shop-cart',
      'app.kubernetes.io/name': 'cart',
      'app.kubernetes.io/managed-by': 'Helm',
    },
  },
  {
    namespace: 'data',
    name: 'forecast',
    image: 'rocker/r-ver:4.4.1',
    port: 8000,
  },
  // Names itself: Beyla takes OTEL_SERVICE_NAME first.
  {
    namespace: 'data',
    name: 'ingest',
    image: 'ghcr.io/example/ingest:0.9.1',
    port: 9000,
    env: [{ name: 'OTEL_SERVICE_NAME', value: 'event-ingest' }],
  },
];

/** The Prometheus CR whose tracingConfig the demo `prometheus-k8s` asks for. */
export const SEED_PROMETHEUS = { namespace: 'monitoring', name: 'k8s' };

/**
 * Seeds what a platform installation has before Tracegate arrives: the
 * namespaces, the real prometheus-operator `Prometheus` CRD, a `Prometheus` CR
 * with fields owned by the platform team, and one Deployment per demo service.
 * Idempotent: every object goes in by server-side apply.
 */
export async function seedPlatform(cluster: LocalControlPlane): Promise<void> {
  const kc = cluster.kubeConfig();
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const apply = (object: KubernetesObject) =>
    objects.patch(
      object,
      undefined,
      undefined,
      PLATFORM_FIELD_MANAGER,
      true,
      PatchStrategy.ServerSideApply,
    );

  for (const name of SEED_NAMESPACES) {
    await apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }

  await installPrometheusCrd(cluster);

  await apply({
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'Prometheus',
    metadata: {
      ...SEED_PROMETHEUS,
      // The catalog's prometheus-k8s selects it as Backstage's Kubernetes
      // plugin would.
      labels: { prometheus: 'k8s', 'backstage.io/kubernetes-id': 'k8s' },
    },
    spec: {
      replicas: 1,
      retention: '15d',
      serviceAccountName: 'prometheus-k8s',
      serviceMonitorSelector: {},
      version: 'v3.5.0',
    },
  } as KubernetesObject);

  for (const deployment of SEED_DEPLOYMENTS) {
    await apply(
      deploymentManifest({
        ...deployment,
        replicas: 1,
        entityId: deployment.name,
      }) as KubernetesObject,
    );
  }
}

async function installPrometheusCrd(cluster: LocalControlPlane) {
  const file = path.join(
    cluster.crdDir,
    'monitoring.coreos.com_prometheuses.yaml',
  );
  const yamlText = fs.readFileSync(file, 'utf8');
  const name: string = parse(yamlText).metadata.name;
  const kc = cluster.kubeConfig();
  // The file goes in as it ships, YAML bytes and all: the typed client would
  // re-serialise the CRD by its camelCase model and drop keys such as
  // x-kubernetes-int-or-string.
  await applyYaml(
    kc,
    `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`,
    yamlText,
  );
  const extensions = kc.makeApiClient(ApiextensionsV1Api);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const current = await extensions.readCustomResourceDefinition({ name });
    const established = current.status?.conditions?.some(
      c => c.type === 'Established' && c.status === 'True',
    );
    // Established comes before the API server serves the new group: wait
    // until discovery lists the resource, or clients that discover get 404.
    if (
      established &&
      (await servesResource(
        kc,
        '/apis/monitoring.coreos.com/v1',
        'prometheuses',
      ))
    ) {
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(`CRD ${name} not served after 60s`);
    }
    await new Promise(resolve => setTimeout(resolve, 200));
  }
}

async function servesResource(
  kc: KubeConfig,
  groupVersionPath: string,
  plural: string,
) {
  try {
    const list = JSON.parse(await request(kc, 'GET', groupVersionPath));
    return (list.resources ?? []).some(
      (r: { name: string }) => r.name === plural,
    );
  } catch {
    return false;
  }
}

async function applyYaml(kc: KubeConfig, apiPath: string, body: string) {
  await request(
    kc,
    'PATCH',
    `${apiPath}?fieldManager=${PLATFORM_FIELD_MANAGER}&force=true`,
    body,
  );
}

/** One raw HTTPS call with the KubeConfig's credentials; the body text back. */
async function request(
  kc: KubeConfig,
  method: string,
  apiPath: string,
  body?: string,
): Promise<string> {
  const url = new URL(apiPath, kc.getCurrentCluster()!.server);
  const options: https.RequestOptions = {
    method,
    headers: body ? { 'Content-Type': PatchStrategy.ServerSideApply } : {},
  };
  await kc.applyToHTTPSOptions(options);
  return new Promise<string>((resolve, reject) => {
    const req = https.request(url, options, res => {
      let text = '';
      res.on('data', chunk => (text += chunk));
      res.on('end', () =>
        res.statusCode && res.statusCode < 300
          ? resolve(text)
          : reject(
              new Error(`${method} ${apiPath}: ${res.statusCode} ${text}`),
            ),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * A Deployment labelled `app: <name>` and as the entity `entityId`'s own
 * (`backstage.io/kubernetes-id`), as the seed and the tests create them;
 * `podLabels`, `annotations` and `env` shape what Beyla names its pods.
 */
export function deploymentManifest(options: {
  namespace: string;
  name: string;
  entityId: string;
  image?: string;
  port?: number;
  replicas?: number;
  podLabels?: Record<string, string>;
  annotations?: Record<string, string>;
  env?: Array<{ name: string; value: string }>;
}) {
  const { namespace, name, entityId } = options;
  const labels = { app: name, 'backstage.io/kubernetes-id': entityId };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels },
    spec: {
      replicas: options.replicas ?? 0,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: {
          labels: { ...labels, ...options.podLabels },
          ...(options.annotations ? { annotations: options.annotations } : {}),
        },
        spec: {
          containers: [
            {
              name,
              image: options.image ?? 'example/app:1',
              ...(options.port
                ? { ports: [{ containerPort: options.port }] }
                : {}),
              ...(options.env ? { env: options.env } : {}),
            },
          ],
        },
      },
    },
  };
}

/**
 * The pods the demo's Deployments run, as the oracle's table holds them, so
 * that Beyla's own code names them (test/beyla-oracle) and the demo's
 * stand-in for Beyla sends what Beyla would.
 */
export function demoOraclePods(): OraclePodCase[] {
  return SEED_DEPLOYMENTS.map(d => {
    const { template } = deploymentManifest({ ...d, entityId: d.name }).spec;
    return oraclePod({
      id: `demo-${d.namespace}-${d.name}`,
      namespace: d.namespace,
      owner: { kind: 'Deployment', name: d.name },
      labels: template.metadata.labels,
      annotations: template.metadata.annotations,
      containers: template.spec.containers.map(c => ({
        name: c.name,
        port: c.ports?.[0]?.containerPort,
        env: c.env,
      })),
    });
  });
}
