import {
  createTracingRequestInputSchema,
  DAY_MS,
  TracingRequest,
} from '@tracegate/plugin-tracing-common';
import fc from 'fast-check';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { testClusterSettings, tracingRequest } from '../__testUtils__/fixtures';
import { BEYLA_CONFIG_KEY, BEYLA_CONFIG_LABEL, renderCluster } from '.';
import { KubeObject } from './types';

/**
 * Every user string that reaches a rendered object passed validation; this
 * checks the other half: rendered, then parsed back as the API server and
 * Beyla would, it is the same data in the same place, and nothing more.
 */

const schema = createTracingRequestInputSchema({ maxDurationMs: 30 * DAY_MS });
const base = {
  entityRef: 'component:default/checkout',
  cluster: 'local',
  expiresAt: new Date(Date.now() + DAY_MS).toISOString(),
  reason: 'x',
};

/** Scalars YAML 1.1 or 1.2 would read as something other than a string. */
const YAML_TRAPS = [
  'on',
  'off',
  'yes',
  'no',
  'y',
  'n',
  'true',
  'null',
  '1e3',
  '0x1f',
  '0o17',
  '1_000',
  '1-2',
  '0123',
  'nan',
  'inf',
  '*',
  '*a',
  '?',
  'a*',
  '',
];

const dnsLabel = fc.oneof(
  fc.constantFrom(...YAML_TRAPS),
  fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?$/),
);
const labelValue = fc.oneof(
  fc.constantFrom(...YAML_TRAPS),
  fc.stringMatching(/^[A-Za-z0-9*?]([-A-Za-z0-9_.*?]{0,20}[A-Za-z0-9*?])?$/),
);
const labelKey = fc.oneof(
  fc.constantFrom('app', 'on', 'true', 'example.com/tier', 'a.b_c-d'),
  fc.stringMatching(/^([a-z0-9]{1,10}\.)?[a-z0-9]{1,10}\/[A-Za-z0-9]{1,10}$/),
);

/** Requests the API accepts, built from strings chosen to trip YAML. */
const acceptedRequest = fc
  .record({
    method: fc.constantFrom('ebpf', 'prometheus'),
    namespace: dnsLabel,
    name: fc.oneof(dnsLabel, fc.constant('a.b.c')),
    kind: fc.constantFrom('Deployment', 'StatefulSet', 'DaemonSet'),
    podLabels: fc.option(fc.dictionary(labelKey, labelValue, { maxKeys: 3 }), {
      nil: undefined,
    }),
    openPorts: fc.option(fc.constantFrom('80', '8080,9090', '2000-2100'), {
      nil: undefined,
    }),
    ratio: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map(r => {
    const prometheus = r.method === 'prometheus';
    return schema.safeParse({
      ...base,
      method: r.method,
      namespace: r.namespace,
      workload: { kind: prometheus ? 'Prometheus' : r.kind, name: r.name },
      podLabels: prometheus ? undefined : r.podLabels,
      openPorts: prometheus ? undefined : r.openPorts,
      sampling: { sampler: 'traceidratio', ratio: r.ratio },
    });
  })
  .filter(result => result.success)
  .map(result => result.data!);

/** Objects as the API server reads the applied YAML. */
function roundTrip(objects: KubeObject[]): unknown[] {
  const text = objects.map(o => stringify(o)).join('---\n');
  return parseAllDocuments(text).map(doc => doc.toJS());
}

function beylaEntries(objects: unknown[], version: '1.1' | '1.2') {
  const configMap = objects.find(
    (o: any) =>
      o.kind === 'ConfigMap' &&
      o.metadata.labels?.[BEYLA_CONFIG_LABEL] === 'true',
  ) as { data: Record<string, string> } | undefined;
  if (!configMap) return [];
  expect(Object.keys(configMap.data)).toEqual([BEYLA_CONFIG_KEY]);
  const config = parse(configMap.data[BEYLA_CONFIG_KEY], { version });
  expect(Object.keys(config).sort()).toEqual([
    'attributes',
    'discovery',
    'otel_traces_export',
  ]);
  return (config.discovery.instrument ?? config.discovery.services) as Array<
    Record<string, unknown>
  >;
}

const SELECTOR = {
  Deployment: 'k8s_deployment_name',
  StatefulSet: 'k8s_statefulset_name',
  DaemonSet: 'k8s_daemonset_name',
} as Record<string, string>;

/** `value` when `pattern` matches it and nothing longer, else the pattern. */
function exactly(pattern: unknown, value: string): unknown {
  const re = new RegExp(pattern as string);
  const only = re.test(value) && !re.test(`${value}x`) && !re.test(`x${value}`);
  return only ? value : pattern;
}

/**
 * The globs a legacy entry's label regexes stand for, when each matches a
 * sample of its glob (and, without `*`, nothing longer); else the regexes.
 */
function globsRead(
  regexes: unknown,
  globs: Record<string, string> | undefined,
): unknown {
  if (!globs || !regexes) return regexes ?? undefined;
  const patterns = regexes as Record<string, string>;
  const same =
    Object.keys(patterns).length === Object.keys(globs).length &&
    Object.entries(globs).every(([key, glob]) => {
      const re = new RegExp(patterns[key]);
      const sample = glob.replaceAll('*', 'zz').replaceAll('?', 'q');
      return re.test(sample) && (glob.includes('*') || !re.test(`${sample}x`));
    });
  return same ? globs : regexes;
}

const asRequests = (inputs: Array<Record<string, any>>): TracingRequest[] =>
  inputs.map((input, i) =>
    tracingRequest(`r${i}`, { ...input, status: 'active' } as any),
  );

describe('rendered objects read back as the same data', () => {
  it.each([
    ['3.33.0', 'instrument'],
    ['2.4.0', 'services'],
  ])('Beyla %s (%s)', (version, dialect) => {
    const settings = testClusterSettings({
      beyla: { image: `grafana/beyla:${version}` },
    });
    let runs = 0;
    fc.assert(
      fc.property(
        fc.uniqueArray(acceptedRequest, {
          maxLength: 4,
          selector: r => `${r.method}/${r.namespace}/${r.workload.name}`,
        }),
        inputs => {
          runs++;
          const requests = asRequests(inputs);
          const objects = roundTrip(renderCluster(settings, requests));
          // Nothing but the kinds Tracegate renders.
          for (const o of objects as any[]) {
            expect([
              'Namespace',
              'ServiceAccount',
              'ClusterRole',
              'ClusterRoleBinding',
              'ConfigMap',
              'DaemonSet',
              'Prometheus',
            ]).toContain(o.kind);
          }
          const ebpf = requests.filter(r => r.method === 'ebpf');
          for (const yamlVersion of ['1.1', '1.2'] as const) {
            const entries = beylaEntries(objects, yamlVersion);
            expect(entries).toHaveLength(ebpf.length);
            for (const r of ebpf) {
              const selector = SELECTOR[r.workload.kind];
              const entry = entries.find(e =>
                dialect === 'instrument'
                  ? e.k8s_namespace === r.namespace &&
                    e[selector] === r.workload.name
                  : e.name === `${r.namespace}-${r.workload.name}`,
              );
              expect(entry).toBeDefined();
              const readBack =
                dialect === 'instrument'
                  ? {
                      namespace: entry!.k8s_namespace,
                      name: entry![selector],
                      podLabels: entry!.k8s_pod_labels,
                    }
                  : {
                      namespace: exactly(entry!.k8s_namespace, r.namespace),
                      name: exactly(entry![selector], r.workload.name),
                      podLabels: globsRead(entry!.k8s_pod_labels, r.podLabels),
                    };
              expect({ ...readBack, openPorts: entry!.open_ports }).toEqual({
                namespace: r.namespace,
                name: r.workload.name,
                podLabels: r.podLabels,
                openPorts: r.openPorts,
              });
            }
          }
          const prometheus = requests.filter(r => r.method === 'prometheus');
          const crs = (objects as any[]).filter(o => o.kind === 'Prometheus');
          expect(crs).toHaveLength(prometheus.length);
          for (const r of prometheus) {
            const cr = crs.find(
              o =>
                o.metadata.name === r.workload.name &&
                o.metadata.namespace === r.namespace,
            );
            expect(Object.keys(cr.spec)).toEqual(['tracingConfig']);
            expect(Number(cr.spec.tracingConfig.samplingFraction)).toBe(
              r.sampling.ratio,
            );
          }
        },
      ),
      { numRuns: 300 },
    );
    expect(runs).toBeGreaterThanOrEqual(300);
  });
});
