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
  oraclePod,
  OracleSampler,
  podsInputText,
  readOracleFixtures,
  realisticWorkloads,
  writeOracleInputs,
} from '@internal/beyla-oracle';
import { demoOraclePods } from '@internal/local-kube';
import {
  kubernetesIdentity,
  SamplerName,
  TracingRequest,
} from '@tracegate/plugin-tracing-common';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { testClusterSettings, tracingRequest } from '../__testUtils__/fixtures';
import { beylaFeatures, parseBeylaVersion } from '../clusters/beylaVersion';
import { ClusterSettings } from '../clusters/config';
import {
  beylaConfig,
  discoveryEntriesOf,
  renderBeylaConfig,
} from '../render/beylaConfig';
import { Entry, entryTargets, targetKey } from '../render/beylaSelections';
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
  // Same namespace, kind and sampler as checkout: one entry for both.
  request('i', 'shop', 'Deployment', 'payments-v2'),
];

/**
 * 20,000 workloads of a large cluster, and pods for some of them, so that
 * Beyla's matcher shows what the compact config selects.
 */
const LARGE = realisticWorkloads(20_000).map((w, n) =>
  request(`large-${n}`, w.namespace, w.kind, w.name, {
    sampling: { sampler: w.sampler as SamplerName, ratio: w.ratio },
    ...(w.openPorts ? { openPorts: w.openPorts } : {}),
  }),
);
const LARGE_PODS = [
  0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987,
]
  .map(n => LARGE[n * 17])
  .map(r =>
    oraclePod({
      id: `large-${r.namespace}-${r.workload.kind}-${r.workload.name}`,
      namespace: r.namespace,
      owner: { kind: r.workload.kind as 'Deployment', name: r.workload.name },
      labels: { app: r.workload.name },
      containers: [
        {
          name: r.workload.name.slice(0, 60),
          port: Number(r.openPorts ?? 8080),
        },
      ],
    }),
  );

/**
 * The oracle's table, the demo's pods (the demo's stand-in names them by it)
 * and pods of some of the large configuration's targets.
 */
const PODS = [...ORACLE_PODS, ...demoOraclePods(), ...LARGE_PODS];

const cluster = (version: string, allowExcludedNamespaces: string[] = []) =>
  testClusterSettings({
    beyla: { image: `grafana/beyla:${version}`, allowExcludedNamespaces },
  });

/**
 * The configurations the oracle loads, by name: what each Beyla version
 * gets, for REQUESTS (or LARGE).
 */
const CONFIGS: Record<
  string,
  { settings: ClusterSettings; requests: TracingRequest[] }
> = {
  'instrument-3.33.0': { settings: cluster('3.33.0'), requests: REQUESTS },
  'instrument-3.33.0-allow-monitoring': {
    settings: cluster('3.33.0', ['monitoring']),
    requests: REQUESTS,
  },
  'instrument-2.5.0-shared-sampler': {
    settings: cluster('2.5.0'),
    requests: REQUESTS,
  },
  'services-2.4.0': { settings: cluster('2.4.0'), requests: REQUESTS },
  'services-2.4.0-allow-monitoring': {
    settings: cluster('2.4.0', ['monitoring']),
    requests: REQUESTS,
  },
  'instrument-3.33.0-20000': { settings: cluster('3.33.0'), requests: LARGE },
  'instrument-2.5.0-20000': { settings: cluster('2.5.0'), requests: LARGE },
};

const rendered = Object.fromEntries(
  Object.entries(CONFIGS).map(([name, { settings, requests }]) => [
    name,
    renderBeylaConfig(requests, settings.beyla, settings.tempo),
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
        const { settings } = CONFIGS[name];
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
          const { settings, requests } = CONFIGS[name];
          const result = fixture.configs[name];
          if (result.loadError || result.validateError) return;
          const config = beylaConfig(requests, settings.beyla, settings.tempo);
          const entries = discoveryEntriesOf(config) as Entry[];
          const legacy = settings.beyla.dialect === 'services';
          const entryOf = new Map<string, number>();
          entries.forEach((entry, i) => {
            for (const key of entryTargets(entry, legacy)) entryOf.set(key, i);
          });
          expect(result.entries).toBe(entries.length);
          const global = (
            config.otel_traces_export as { sampler?: OracleSampler }
          ).sampler;
          expect(result.globalSampler).toEqual(global);
          const ownSamplers = entries.map(
            e => (e.sampler as OracleSampler | undefined) ?? null,
          );
          // Above 200 entries the oracle records a digest of the samplers.
          expect(result.entrySamplersDigest ?? result.entrySamplers).toEqual(
            result.entrySamplersDigest
              ? sha256(
                  ownSamplers
                    .map((s, i) => `${i} ${s ? `${s.name}:${s.arg}` : '-'}\n`)
                    .join(''),
                )
              : ownSamplers,
          );

          const expected: Record<string, unknown> = {};
          for (const [key, { case: podCase, process }] of PROCESSES) {
            const shape = podShapeOfPod(podCase.pod);
            const selecting = requests.filter(r =>
              entrySelects(
                r,
                shape,
                process.ports,
                settings.beyla.excludedNamespaces,
              ),
            );
            if (!selecting.length) continue;
            const r = selecting[selecting.length - 1];
            const index = entryOf.get(targetKey(r))!;
            const naming = beylaServiceName(
              shape,
              process.container,
              rules,
              entries[index].name as string | undefined,
            );
            expected[key] = {
              entries: [
                ...new Set(selecting.map(s => entryOf.get(targetKey(s))!)),
              ],
              service: { name: naming.name, namespace: naming.namespace },
              // What Beyla samples it with: the entry's sampler, else the
              // exporter's; what the request asked for, or the shared one.
              sampler: settings.beyla.perEntrySampler
                ? { name: r.sampling.sampler, arg: String(r.sampling.ratio) }
                : global,
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
              sampler: decision.entrySampler ?? result.globalSampler,
            };
          }
          expect(result.processes).toBeDefined();
          expect(actual).toEqual(expected);
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
