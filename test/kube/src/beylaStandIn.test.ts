import {
  ORACLE_INPUTS_DIR,
  readOracleFixtures,
  readOracleInputPods,
} from '@internal/beyla-oracle';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { OracleNames, standInSelection, StandInPod } from './beylaStandIn';
import { deploymentManifest, demoOraclePods, SEED_DEPLOYMENTS } from './seed';

/*
 * The demo's stand-in for Beyla against Beyla's own decisions (the oracle's
 * fixtures, test/beyla-oracle): it must select what Beyla selects and name
 * what Beyla names, for every configuration and pod the oracle ran.
 */

const fixtures = readOracleFixtures();
const pods = readOracleInputPods();

describe("the demo's stand-in for Beyla", () => {
  describe.each(fixtures.map(f => [f.beyla, f] as const))(
    'against Beyla %s',
    (_version, fixture) => {
      // Every configuration Beyla loaded whose text is committed (the
      // 20,000-target ones are written only to run the oracle).
      const loaded = Object.entries(fixture.configs).filter(
        ([name, r]) =>
          !r.loadError &&
          !r.validateError &&
          r.processes &&
          fs.existsSync(path.join(ORACLE_INPUTS_DIR, 'configs', `${name}.yml`)),
      );

      it.each(loaded.map(([name]) => name))(
        'selects with %s what Beyla selects',
        name => {
          const config = parse(
            fs.readFileSync(
              path.join(ORACLE_INPUTS_DIR, 'configs', `${name}.yml`),
              'utf8',
            ),
          );
          const beyla: Record<string, number> = {};
          for (const [key, d] of Object.entries(
            fixture.configs[name].processes!,
          )) {
            if (!d.excluded) beyla[key] = d.entries[d.entries.length - 1];
          }
          const standIn: Record<string, number> = {};
          for (const podCase of pods) {
            for (const process of podCase.processes) {
              const selected = standInSelection(
                config,
                podCase.pod as StandInPod,
                process.ports,
              );
              if (selected) {
                standIn[`${podCase.id}/${process.container}`] = selected.index;
              }
            }
          }
          expect(standIn).toEqual(beyla);
        },
      );

      it('names every pod the oracle saw as Beyla does', () => {
        const names = new OracleNames(fixture.beyla);
        for (const podCase of pods) {
          for (const process of podCase.processes) {
            const expected =
              fixture.naming[`${podCase.id}/${process.container}`];
            const resource = names.resourceOf(
              podCase.pod as StandInPod,
              process.container,
            );
            expect({
              process: `${podCase.id}/${process.container}`,
              service: resource?.['service.name'],
              namespace: resource?.['k8s.namespace.name'],
            }).toEqual({
              process: `${podCase.id}/${process.container}`,
              service: expected.attributes?.['service.name'],
              namespace: expected.attributes?.['k8s.namespace.name'],
            });
          }
        }
      });
    },
  );

  it("names the demo's pods as they run: another pod name and template hash, the same shape", () => {
    const names = new OracleNames('3.33.0');
    const expectedOf = (id: string, container: string) =>
      readOracleFixtures().find(f => f.beyla === '3.33.0')!.naming[
        `${id}/${container}`
      ].attributes!;
    for (const d of SEED_DEPLOYMENTS) {
      const { template } = deploymentManifest({
        ...d,
        entityId: d.name,
      }).spec;
      const running: StandInPod = {
        metadata: {
          name: `${d.name}-7f9c4d5b8-x2k9q`,
          namespace: d.namespace,
          labels: {
            ...template.metadata.labels,
            'pod-template-hash': '7f9c4d5b8',
          },
          annotations: template.metadata.annotations,
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'ReplicaSet',
              name: `${d.name}-7f9c4d5b8`,
            },
          ],
        },
        spec: { nodeName: 'kwok-node-1', containers: template.spec.containers },
      };
      const resource = names.resourceOf(running, d.name)!;
      const expected = expectedOf(`demo-${d.namespace}-${d.name}`, d.name);
      expect(resource).toMatchObject({
        'service.name': expected['service.name'],
        'k8s.namespace.name': d.namespace,
        'k8s.deployment.name': d.name,
        'k8s.pod.name': `${d.name}-7f9c4d5b8-x2k9q`,
        'k8s.node.name': 'kwok-node-1',
      });
    }
    // The Helm release and the OTEL_SERVICE_NAME: Beyla's names, not the
    // Deployments'.
    expect(
      names.resourceOf(
        {
          metadata: {
            name: 'x',
            namespace: 'shop',
            labels: demoOraclePods().find(p => p.id === 'demo-shop-cart')!.pod
              .metadata.labels,
            ownerReferences: [
              { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'cart-abc' },
            ],
          },
          spec: {
            containers: demoOraclePods().find(p => p.id === 'demo-shop-cart')!
              .pod.spec.containers,
          },
        },
        'cart',
      )?.['service.name'],
    ).toBe('shop-cart');
  });

  it('sends nothing for a pod shape the oracle never saw', () => {
    const names = new OracleNames('3.33.0');
    expect(
      names.resourceOf(
        {
          metadata: {
            name: 'p',
            namespace: 'shop',
            labels: { app: 'unseen' },
            ownerReferences: [
              { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'unseen-abc' },
            ],
          },
          spec: { containers: [{ name: 'unseen' }] },
        },
        'unseen',
      ),
    ).toBeUndefined();
  });
});
