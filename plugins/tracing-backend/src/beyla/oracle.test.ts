/*
 * Tracegate's model of Beyla against Beyla's own code. The fixtures in
 * test/beyla-oracle/fixtures were made by the oracle (test/beyla-oracle: a Go
 * program built inside a Beyla source tree that runs Beyla's config loader,
 * its informer's pod conversion, its discovery matcher and its naming) over
 * the inputs this file writes: the oracle's pods and the configurations
 * Tracegate renders for them. A disagreement fails here, without Beyla.
 *
 * After a change to the renderer or the pods: UPDATE_BEYLA_ORACLE_INPUTS=1
 * yarn test this file (writes test/beyla-oracle/inputs), then run the oracle
 * where a Beyla mirror is (test/beyla-oracle/README.md).
 */
import {
  ORACLE_INPUTS_DIR,
  ORACLE_PODS,
  OracleDecision,
  OracleFixture,
  podsInputText,
  readOracleFixtures,
  writeOracleInputs,
} from '@internal/beyla-oracle';
import { demoOraclePods } from '@internal/local-kube';
import {
  kubernetesIdentity,
  TracingRequest,
} from '@tracegate/plugin-tracing-common';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { testClusterSettings, tracingRequest } from '../__testUtils__/fixtures';
import { beylaFeatures, parseBeylaVersion } from '../clusters/beylaVersion';
import { ClusterSettings } from '../clusters/config';
import { beylaConfig, inConfigOrder, renderBeylaConfig } from '../render/beyla';
import { discoveryEntriesOf } from '../render';
import { entrySelects } from './selection';
import {
  beylaNamingRules,
  beylaServiceName,
  overriddenKubernetesAttributes,
  podShapeOfPod,
  podShapeOfWorkload,
} from './serviceName';

const sha256 = (text: string) =>
  createHash('sha256').update(text).digest('hex');

const request = (
  id: string,
  namespace: string,
  kind: TracingRequest['workload']['kind'],
  name: string,
  change: Partial<TracingRequest> = {},
) =>
  tracingRequest(id, {
    namespace,
    workload: { kind, name },
    sampling: { sampler: 'parentbased_traceidratio', ratio: 0.25 },
    ...change,
  });

/** The oracle's table and the demo's pods (the demo's stand-in names them by it). */
const PODS = [...ORACLE_PODS, ...demoOraclePods()];

/** One request per kind of target in the oracle's pods. */
const REQUESTS: TracingRequest[] = [
  request('a', 'shop', 'Deployment', 'checkout'),
  request('b', 'shop', 'Deployment', 'cart', {
    sampling: { sampler: 'traceidratio', ratio: 0.5 },
    openPorts: '8080',
  }),
  request('c', 'data', 'StatefulSet', 'forecast', {
    podLabels: { tier: 'api*' },
    openPorts: '8000-8100',
    sampling: { sampler: 'always_on', ratio: 1 },
  }),
  // Its pods listen on 9100: the entry selects none of them.
  request('d', 'data', 'DaemonSet', 'node-agent', { openPorts: '9000' }),
  request('e', 'on', 'Deployment', '0123', {
    podLabels: { app: 'e-0123' },
  }),
  request('f', 'shop', 'Deployment', 'gateway', {
    sampling: { sampler: 'parentbased_always_on', ratio: 1 },
  }),
  request('g', 'monitoring', 'Deployment', 'kube-state-metrics'),
  request('h', 'data', 'StatefulSet', 'db-postgresql', {
    sampling: { sampler: 'traceidratio', ratio: 0.05 },
  }),
];

const cluster = (version: string, allowExcludedNamespaces: string[] = []) =>
  testClusterSettings({
    beyla: { image: `grafana/beyla:${version}`, allowExcludedNamespaces },
  });

/** The configurations the oracle loads, by name: what each Beyla version gets. */
const CONFIGS: Record<string, ClusterSettings> = {
  'instrument-3.33.0': cluster('3.33.0'),
  'instrument-3.33.0-allow-monitoring': cluster('3.33.0', ['monitoring']),
  'instrument-2.5.0-shared-sampler': cluster('2.5.0'),
  'services-2.4.0': cluster('2.4.0'),
  'services-2.4.0-allow-monitoring': cluster('2.4.0', ['monitoring']),
};

const rendered = Object.fromEntries(
  Object.entries(CONFIGS).map(([name, settings]) => [
    name,
    renderBeylaConfig(REQUESTS, settings.beyla, settings.tempo),
  ]),
);

if (process.env.UPDATE_BEYLA_ORACLE_INPUTS) {
  writeOracleInputs(PODS, rendered);
}

const fixtures = readOracleFixtures();

/** `<pod id>/<container>` → the pod case and its process. */
const PROCESSES = new Map(
  PODS.flatMap(c =>
    c.processes.map(p => [`${c.id}/${p.container}`, { case: c, process: p }]),
  ),
);

describe("Beyla's own code, through the oracle's fixtures", () => {
  it('has fixtures for the default Beyla and the oldest 2.5.x, naming every pod', () => {
    expect(fixtures.map(f => f.beyla)).toEqual(
      expect.arrayContaining(['2.5.1', '3.33.0']),
    );
    for (const fixture of fixtures) {
      expect(Object.keys(fixture.naming).sort()).toEqual(
        [...PROCESSES.keys()].sort(),
      );
    }
  });

  it('was asked about the pods and configurations Tracegate has now', () => {
    const podsText = podsInputText(PODS);
    expect(
      fs.readFileSync(path.join(ORACLE_INPUTS_DIR, 'pods.json'), 'utf8'),
    ).toBe(podsText);
    for (const fixture of fixtures) {
      expect({ beyla: fixture.beyla, pods: fixture.podsSha256 }).toEqual({
        beyla: fixture.beyla,
        pods: sha256(podsText),
      });
      for (const [name, text] of Object.entries(rendered)) {
        // Stale: re-run the oracle (test/beyla-oracle/README.md).
        expect({ config: name, sha256: fixture.configs[name]?.sha256 }).toEqual(
          { config: name, sha256: sha256(text) },
        );
      }
    }
  });

  describe.each(fixtures.map(f => [f.beyla, f] as const))(
    'Beyla %s',
    (version, fixture: OracleFixture) => {
      const rules = beylaNamingRules(parseBeylaVersion(version)!);
      const features = beylaFeatures(parseBeylaVersion(version)!);

      it('names every pod as Tracegate resolves it, from the pod and from its template', () => {
        const mismatches: string[] = [];
        for (const [key, decision] of Object.entries(fixture.naming)) {
          // Beyla's default exclusions: never instrumented, so never named.
          if (decision.excluded) continue;
          const { case: podCase, process } = PROCESSES.get(key)!;
          const beyla = exported(decision);
          const fromPod = beylaServiceName(
            podShapeOfPod(podCase.pod),
            process.container,
            rules,
          );
          const ours = { name: fromPod.name, namespace: fromPod.namespace };
          if (JSON.stringify(ours) !== JSON.stringify(beyla)) {
            mismatches.push(
              `${key}: Beyla ${JSON.stringify(
                beyla,
              )}, Tracegate ${JSON.stringify(ours)} (${fromPod.nameSource})`,
            );
          }
          // Before a pod runs, the form reads the workload's template.
          const owner = beylaTopWorkload(podCase.pod);
          if (owner && !fromPod.unresolved) {
            const fromTemplate = beylaServiceName(
              podShapeOfWorkload({
                kind: owner.kind,
                metadata: {
                  name: owner.name,
                  namespace: podCase.pod.metadata.namespace,
                },
                spec: {
                  template: {
                    metadata: {
                      labels: withoutTemplateHash(podCase.pod.metadata.labels),
                      annotations: podCase.pod.metadata.annotations,
                    },
                    spec: podCase.pod.spec,
                  },
                },
              }),
              process.container,
              rules,
            );
            if (fromTemplate.name !== beyla.name) {
              mismatches.push(
                `${key} from its template: Beyla ${beyla.name}, Tracegate ${fromTemplate.name}`,
              );
            }
          }
        }
        expect(mismatches).toEqual([]);
      });

      it("finds every pod's spans by its Kubernetes identity, or says why not", () => {
        const mismatches: string[] = [];
        for (const [key, decision] of Object.entries(fixture.naming)) {
          const { case: podCase } = PROCESSES.get(key)!;
          const owner = beylaTopWorkload(podCase.pod);
          if (!owner || decision.excluded) continue;
          const identity = kubernetesIdentity({
            method: 'ebpf',
            namespace: podCase.pod.metadata.namespace,
            workload: owner,
          })!;
          const shape = podShapeOfPod(podCase.pod);
          const overrides = new Map(
            overriddenKubernetesAttributes(shape, rules).map(o => [
              o.attribute,
              o.value,
            ]),
          );
          for (const { attribute, value } of identity) {
            const expected = overrides.get(attribute) ?? value;
            if (decision.attributes?.[attribute] !== expected) {
              mismatches.push(
                `${key}: ${attribute} is ${decision.attributes?.[attribute]}, Tracegate expects ${expected}`,
              );
            }
          }
        }
        expect(mismatches).toEqual([]);
      });

      it.each(Object.keys(CONFIGS))('loads %s as Tracegate expects', name => {
        const settings = CONFIGS[name];
        const result = fixture.configs[name];
        // An entry sampler stops 2.5.0-2.5.2: Tracegate renders none there.
        const loads = !(
          settings.beyla.perEntrySampler && !features.perEntrySampler
        );
        expect({
          loads: !result.loadError && !result.validateError,
          error: result.loadError ?? result.validateError,
        }).toEqual(
          loads
            ? { loads: true, error: undefined }
            : {
                loads: false,
                error:
                  'parsing YAML configuration: GlobAttr: unexpected YAML node kind 4',
              },
        );
      });

      it.each(Object.keys(CONFIGS))(
        'selects, samples and names with %s what Tracegate expects',
        name => {
          const settings = CONFIGS[name];
          const result = fixture.configs[name];
          if (result.loadError || result.validateError) return;
          const config = beylaConfig(REQUESTS, settings.beyla, settings.tempo);
          const entries = discoveryEntriesOf(config) as Array<{
            name?: string;
          }>;
          // The config lists requests in its own order: entry i is ebpf[i].
          const ordered = orderedRequests(settings);
          expect(entries).toHaveLength(ordered.length);

          const expected: Record<string, unknown> = {};
          for (const [key, { case: podCase, process }] of PROCESSES) {
            const shape = podShapeOfPod(podCase.pod);
            const selecting = ordered
              .map((r, i) => ({ r, i }))
              .filter(({ r }) =>
                entrySelects(
                  r,
                  shape,
                  process.ports,
                  settings.beyla.excludedNamespaces,
                ),
              );
            if (!selecting.length) continue;
            const { r, i } = selecting[selecting.length - 1];
            const naming = beylaServiceName(
              shape,
              process.container,
              rules,
              entries[i].name,
            );
            expected[key] = {
              entries: selecting.map(s => s.i),
              service: { name: naming.name, namespace: naming.namespace },
              sampler: settings.beyla.perEntrySampler
                ? { name: r.sampling.sampler, arg: String(r.sampling.ratio) }
                : undefined,
            };
          }
          const actual: Record<string, unknown> = {};
          for (const [key, decision] of Object.entries(
            result.processes ?? {},
          )) {
            if (decision.excluded) continue;
            actual[key] = {
              entries: decision.entries,
              service: exported(decision),
              sampler: decision.entrySampler,
            };
          }
          expect(actual).toEqual(expected);
          // Where Beyla has one sampler, it is the most demanding request's.
          expect(result.globalSampler).toEqual(
            (config.otel_traces_export as { sampler?: unknown }).sampler,
          );
        },
      );
    },
  );
});

/** What the spans carry: the exported resource's service name and namespace. */
function exported(decision: OracleDecision) {
  return {
    name: decision.attributes?.['service.name'] ?? decision.serviceName ?? '',
    namespace:
      decision.attributes?.['service.namespace'] ??
      decision.serviceNamespace ??
      '',
  };
}

/** The workload (of a kind a request can name) that owns the pod, as Beyla sees it. */
function beylaTopWorkload(pod: (typeof ORACLE_PODS)[number]['pod']) {
  const owners = podShapeOfPod(pod).owners;
  const top = owners[owners.length - 1];
  return top && ['Deployment', 'StatefulSet', 'DaemonSet'].includes(top.kind)
    ? (top as {
        kind: 'Deployment' | 'StatefulSet' | 'DaemonSet';
        name: string;
      })
    : undefined;
}

function withoutTemplateHash(labels?: Record<string, string>) {
  if (!labels) return undefined;
  const { 'pod-template-hash': _hash, ...rest } = labels;
  return rest;
}

/** The ebpf requests in the order the config lists their entries. */
function orderedRequests(_settings: ClusterSettings): TracingRequest[] {
  return inConfigOrder(REQUESTS.filter(r => r.method === 'ebpf'));
}
