import { TracingRequest } from '@tracegate/plugin-tracing-common';
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { testClusterSettings, tracingRequest } from '../__testUtils__/fixtures';
import {
  BEYLA_CONFIG_LABEL,
  BEYLA_TEMPLATE_ANNOTATION,
  configMapOfBeylaPod,
  parseBeylaSelections,
  renderBeylaConfig,
  renderCluster,
} from './index';

const goldenDir = path.join(__dirname, '__golden__');

/** The committed golden file; UPDATE_GOLDEN=1 first rewrites it with `text`. */
function golden(name: string, text: string): string {
  const file = path.join(goldenDir, name);
  if (process.env.UPDATE_GOLDEN) fs.writeFileSync(file, text);
  return fs.readFileSync(file, 'utf8');
}

function request(
  id: string,
  change: Partial<TracingRequest> = {},
): TracingRequest {
  return tracingRequest(id, {
    sampling: { sampler: 'parentbased_traceidratio', ratio: 0.25 },
    expiresAt: '2026-12-02T00:00:00.000Z',
    reason: 'r',
    status: 'active',
    ...change,
  });
}

/** A cluster running the given Beyla release. */
const cluster = (version = '3.33.0', more: Record<string, unknown> = {}) =>
  testClusterSettings({
    tempo: {
      otlpEndpoint: 'tempo-distributor.tempo.svc:4317',
      queryUrl: 'http://tempo-query-frontend.tempo.svc:3200',
    },
    beyla: { image: `grafana/beyla:${version}` },
    ...more,
  });

const requests = [
  request('b', {
    namespace: 'data',
    workload: { kind: 'StatefulSet', name: 'forecast' },
    podLabels: { tier: 'api*', app: 'forecast' },
    openPorts: '8000-8100',
    sampling: { sampler: 'always_on', ratio: 1 },
  }),
  request('a', { openPorts: '8080' }),
  request('c', {
    method: 'prometheus',
    namespace: 'monitoring',
    workload: { kind: 'Prometheus', name: 'k8s' },
    sampling: { sampler: 'traceidratio', ratio: 0.5 },
  }),
];

describe('renderCluster', () => {
  it.each([
    // discovery.services (regular expressions), one shared sampler
    ['2.4.0', 'cluster-services.yaml'],
    // discovery.instrument (globs); an entry sampler would stop Beyla
    ['2.5.0', 'cluster-instrument-shared-sampler.yaml'],
    ['2.5.2', 'cluster-instrument-shared-sampler.yaml'],
    // a sampler per entry
    ['2.5.3', 'cluster-instrument.yaml'],
    ['3.33.0', 'cluster-instrument.yaml'],
  ])('renders what Beyla %s reads (%s)', (version, file) => {
    const objects = renderCluster(cluster(version), requests);
    const text = objects
      .map(o => stringify(o))
      .join('---\n')
      .replaceAll(`grafana/beyla:${version}`, 'grafana/beyla:VERSION')
      // The template hash covers the image, so it differs per version too.
      .replace(/(tracegate\.io\/pod-template: )[0-9a-f]+/, '$1HASH');
    expect(text).toBe(golden(file, text));
  });

  it('renders the same bytes whatever the order of the requests', () => {
    const a = renderCluster(cluster(), requests);
    const b = renderCluster(cluster(), [...requests].reverse());
    expect(stringify(b)).toBe(stringify(a));
  });

  it('renders nothing for a cluster without live requests', () => {
    expect(renderCluster(cluster(), [])).toEqual([]);
  });

  it('names each config by its content, and the DaemonSet names the config', () => {
    const named = (rs: TracingRequest[]) => {
      const objects = renderCluster(cluster(), rs);
      const ds = objects.find(o => o.kind === 'DaemonSet')!;
      const configMap = objects.find(
        o => o.kind === 'ConfigMap' && o.metadata.labels?.[BEYLA_CONFIG_LABEL],
      )!;
      return {
        configMap: configMap.metadata.name,
        daemonSetReads: configMapOfBeylaPod((ds.spec as any).template),
        template: (ds.spec as any).template.metadata.annotations[
          BEYLA_TEMPLATE_ANNOTATION
        ],
      };
    };
    const all = named(requests);
    expect(all.daemonSetReads).toBe(all.configMap);
    expect(all.configMap).toMatch(/^beyla-config-[0-9a-f]{12}$/);
    // Another config, another name; the template hash leaves the name out.
    const fewer = named(requests.slice(1));
    expect(fewer.configMap).not.toBe(all.configMap);
    expect(fewer.template).toBe(all.template);
    expect(named([...requests].reverse())).toEqual(all);
  });

  it('groups the targets of a namespace and kind that share labels, ports and sampler', () => {
    const text = renderBeylaConfig(
      [
        request('1', { workload: { kind: 'Deployment', name: 'cart' } }),
        request('2', { workload: { kind: 'Deployment', name: 'checkout' } }),
        request('3', {
          workload: { kind: 'Deployment', name: 'search' },
          sampling: { sampler: 'always_on', ratio: 1 },
        }),
        request('4', {
          workload: { kind: 'StatefulSet', name: 'cache' },
        }),
      ],
      cluster().beyla,
      cluster().tempo,
    );
    // JSON (which YAML reads as written), one entry a line; the most common
    // sampler given once, for the exporter.
    expect(text).toBe(`{"discovery":{"instrument":[
{"k8s_namespace":"shop","k8s_deployment_name":"{cart,checkout}"}
,{"k8s_namespace":"shop","k8s_deployment_name":"search","sampler":{"name":"always_on","arg":"1"}}
,{"k8s_namespace":"shop","k8s_statefulset_name":"cache"}
]},"attributes":{"kubernetes":{"enable":true}},"otel_traces_export":{"endpoint":"http://tempo-distributor.tempo.svc:4317","protocol":"grpc","sampler":{"name":"parentbased_traceidratio","arg":"0.25"}}}
`);
    expect([...parseBeylaSelections(text).targets.keys()]).toEqual([
      'shop/Deployment/cart',
      'shop/Deployment/checkout',
      'shop/Deployment/search',
      'shop/StatefulSet/cache',
    ]);
  });

  it('renders only tracingConfig for prometheus requests, the newest per CR', () => {
    const objects = renderCluster(cluster(), [
      request('old', {
        method: 'prometheus',
        namespace: 'monitoring',
        workload: { kind: 'Prometheus', name: 'k8s' },
        createdAt: '2026-11-20T00:00:00.000Z',
      }),
      request('new', {
        method: 'prometheus',
        namespace: 'monitoring',
        workload: { kind: 'Prometheus', name: 'k8s' },
        sampling: { sampler: 'always_on', ratio: 0.75 },
      }),
    ]);
    expect(objects.filter(o => o.kind !== 'ConfigMap')).toEqual([
      {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'Prometheus',
        metadata: { name: 'k8s', namespace: 'monitoring' },
        spec: {
          tracingConfig: {
            clientType: 'grpc',
            endpoint: 'tempo-distributor.tempo.svc:4317',
            insecure: true,
            samplingFraction: '0.75',
          },
        },
      },
    ]);
  });

  it('runs unprivileged with the capability list when asked', () => {
    const settings = cluster('3.33.0', {
      beyla: { image: 'grafana/beyla:3.33.0', privileged: false },
    });
    const ds = renderCluster(settings, requests).find(
      o => o.kind === 'DaemonSet',
    )!;
    expect(JSON.stringify(ds)).toContain('"drop":["ALL"]');
    expect(JSON.stringify(ds)).toContain('"readOnlyRootFilesystem":true');
    expect(JSON.stringify(ds)).not.toContain('privileged":true');
  });
});

describe('a multi-tenant TLS Tempo', () => {
  const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
  const settings = cluster('3.33.0', {
    tempo: {
      otlpEndpoint: 'tempo.example.com:443',
      insecure: false,
      headers: { 'X-Scope-OrgID': 'team a' },
      caData: Buffer.from(pem).toString('base64'),
    },
  });

  it('gives Beyla the headers and the CA through the OTLP exporter environment', () => {
    const objects = renderCluster(settings, requests);
    const ds = objects.find(o => o.kind === 'DaemonSet') as any;
    const container = ds.spec.template.spec.containers[0];
    expect(container.env).toEqual(
      expect.arrayContaining([
        {
          name: 'OTEL_EXPORTER_OTLP_TRACES_HEADERS',
          value: 'X-Scope-OrgID=team%20a',
        },
        {
          name: 'OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE',
          value: '/etc/beyla/otlp-ca/ca.crt',
        },
      ]),
    );
    expect(
      objects.find(
        o =>
          o.metadata.name === 'tracegate-otlp-ca' &&
          o.metadata.namespace === 'beyla',
      )?.data,
    ).toEqual({ 'ca.crt': pem });
    expect(
      JSON.parse(
        renderBeylaConfig(requests.slice(0, 2), settings.beyla, settings.tempo),
      ).otel_traces_export.endpoint,
    ).toBe('https://tempo.example.com:443');
  });

  it('gives Prometheus the headers and the CA as tracingConfig fields', () => {
    const objects = renderCluster(settings, requests);
    const prometheus = objects.find(o => o.kind === 'Prometheus') as any;
    expect(prometheus.spec.tracingConfig).toEqual({
      clientType: 'grpc',
      endpoint: 'tempo.example.com:443',
      insecure: false,
      samplingFraction: '0.5',
      headers: { 'X-Scope-OrgID': 'team a' },
      tlsConfig: {
        ca: { configMap: { name: 'tracegate-otlp-ca', key: 'ca.crt' } },
      },
    });
    expect(
      objects.some(
        o =>
          o.metadata.name === 'tracegate-otlp-ca' &&
          o.metadata.namespace === 'monitoring',
      ),
    ).toBe(true);
  });
});

describe('renderBeylaConfig', () => {
  it('escapes names for the regex-matching legacy dialect', () => {
    const text = renderBeylaConfig(
      [
        request('a', {
          workload: { kind: 'Deployment', name: 'web.v2' },
          podLabels: { app: 'web*' },
        }),
      ],
      cluster('2.4.0').beyla,
      cluster('2.4.0').tempo,
    );
    expect(JSON.parse(text).discovery.services).toEqual([
      {
        name: 'shop-web.v2',
        k8s_namespace: '^shop$',
        k8s_deployment_name: '^web\\.v2$',
        k8s_pod_labels: { app: '^web.*$' },
      },
    ]);
  });
});
