import { Entity } from '@backstage/catalog-model';
import { deploymentManifest } from '@internal/local-kube';
import { TracingRequestInput } from '@tracegate/plugin-tracing-common';
import { Knex } from 'knex';
import {
  startTracingBackend,
  TracingTestBackend,
} from '../__testUtils__/backend';
import { createTestDatabases } from '../__testUtils__/databases';
import {
  CATALOG,
  requestInput,
  unreachableCluster,
} from '../__testUtils__/fixtures';
import { localClusterConfig, useSeededCluster } from '../__testUtils__/kube';

jest.setTimeout(120_000);

const databases = createTestDatabases();

const kube = useSeededCluster();

function component(
  name: string,
  owner: string,
  annotations: Record<string, string>,
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default', annotations },
    spec: { type: 'service', owner, lifecycle: 'production' },
  };
}

/** Each annotation form of Backstage's Kubernetes plugin, on the seeded cluster. */
const TEST_CATALOG: Entity[] = [
  ...CATALOG,
  component('ingest-workers', 'team-data', {
    'backstage.io/kubernetes-label-selector': 'app=ingest',
  }),
  component('checkout-in-data', 'team-shop', {
    'backstage.io/kubernetes-id': 'checkout',
    'backstage.io/kubernetes-namespace': 'data',
  }),
  component('prometheus-k8s', 'team-data', {
    'backstage.io/kubernetes-id': 'k8s',
  }),
  component('metrics-stack', 'team-data', {
    'backstage.io/kubernetes-id': 'metrics-stack',
  }),
];

describe.each(databases.eachSupportedId())(
  'targets checked on the live cluster, on %p',
  databaseId => {
    let knex: Knex;
    let get: TracingTestBackend['get'];
    let post: TracingTestBackend['post'];

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      ({ get, post } = await startTracingBackend({
        knex,
        entities: TEST_CATALOG,
        tracing: {
          maxDuration: { days: 30 },
          reconcileFrequency: { hours: 1 },
          clusters: [
            localClusterConfig(kube.cluster, {
              token: kube.token,
              config: {
                prometheusInstances: [
                  {
                    namespace: 'monitoring',
                    name: 'k8s',
                    entityRef: 'metrics-stack',
                  },
                ],
              },
            }),
            unreachableCluster('offline'),
          ],
        },
      }));
    });

    const rows = async () =>
      Number(
        (await knex('tracing_requests').count({ n: '*' }).first())?.n ?? 0,
      );
    const approve = (id: string) => post(`/requests/${id}/approve`, {}, 'ada');

    describe('GET /entities/:kind/:namespace/:name/workloads', () => {
      const workloads = async (entity: string, query: string) => {
        const res = await get(
          `/entities/component/default/${entity}/workloads?${query}`,
        );
        expect(res.status).toBe(200);
        return res.body;
      };

      it('finds workloads by backstage.io/kubernetes-id', async () => {
        expect(await workloads('checkout', 'cluster=local')).toEqual({
          cluster: 'local',
          method: 'ebpf',
          selector: 'backstage.io/kubernetes-id=checkout in any namespace',
          items: [{ kind: 'Deployment', namespace: 'shop', name: 'checkout' }],
        });
      });

      it('finds workloads by backstage.io/kubernetes-label-selector', async () => {
        expect(
          (await workloads('ingest-workers', 'cluster=local')).items,
        ).toEqual([{ kind: 'Deployment', namespace: 'data', name: 'ingest' }]);
      });

      it('narrows to backstage.io/kubernetes-namespace', async () => {
        const body = await workloads('checkout-in-data', 'cluster=local');
        expect(body.selector).toBe(
          'backstage.io/kubernetes-id=checkout in namespace data',
        );
        expect(body.items).toEqual([]);
      });

      it('lists Prometheus CRs for the native method, labelled or assigned in config', async () => {
        const target = {
          kind: 'Prometheus',
          namespace: 'monitoring',
          name: 'k8s',
        };
        expect(
          (await workloads('prometheus-k8s', 'cluster=local&method=prometheus'))
            .items,
        ).toEqual([target]);
        expect(
          (await workloads('metrics-stack', 'cluster=local&method=prometheus'))
            .items,
        ).toEqual([target]);
        expect(
          (await workloads('checkout', 'cluster=local&method=prometheus'))
            .items,
        ).toEqual([]);
      });

      it('says why when the cluster cannot be read', async () => {
        const body = await workloads('checkout', 'cluster=offline');
        expect(body.items).toEqual([]);
        expect(body.error).toMatch(/^unreachable: /);
      });

      it('answers 400 for an unknown cluster and 404 for an unknown entity', async () => {
        const unknownCluster = await get(
          '/entities/component/default/checkout/workloads?cluster=nope',
        );
        expect(unknownCluster.status).toBe(400);
        expect(unknownCluster.body.error.message).toMatch(/^cluster: /);
        const unknownEntity = await get(
          '/entities/component/default/nope/workloads?cluster=local',
        );
        expect(unknownEntity.status).toBe(404);
      });
    });

    describe('refusals at create, with nothing written', () => {
      it.each([
        [
          "another team's workload",
          {
            namespace: 'data',
            workload: { kind: 'Deployment', name: 'forecast' },
          },
          400,
          /^workload\.name: Deployment data\/forecast is not one of component:default\/checkout's workloads/,
        ],
        [
          'a workload that does not exist',
          {
            namespace: 'data',
            workload: { kind: 'Deployment', name: 'checkout' },
          },
          400,
          /^workload\.name: Deployment data\/checkout does not exist on cluster local/,
        ],
        [
          'a namespace that does not exist',
          { namespace: 'nowhere' },
          400,
          /^namespace: namespace nowhere does not exist on cluster local/,
        ],
        [
          'a Prometheus CR that does not exist',
          {
            method: 'prometheus',
            namespace: 'shop',
            workload: { kind: 'Prometheus', name: 'checkout' },
          },
          400,
          /^workload\.name: Prometheus shop\/checkout does not exist on cluster local/,
        ],
        [
          'a Deployment for the native method',
          {
            method: 'prometheus',
            namespace: 'monitoring',
            workload: { kind: 'Deployment', name: 'k8s' },
          },
          400,
          /^workload\.kind: must be Prometheus for the prometheus method/,
        ],
      ])('refuses %s', async (_, change, status, message) => {
        const before = await rows();
        for (const path of ['/requests', '/requests/preview']) {
          const res = await post(
            path,
            requestInput(change as Partial<TracingRequestInput>),
          );
          expect(res.status).toBe(status);
          expect(res.body.error.message).toMatch(message);
        }
        expect(await rows()).toBe(before);
      });

      it('lets a platform admin target any workload, and says so', async () => {
        // root is an admin in team-shop: checkout's owner, with any target.
        const res = await post(
          '/requests',
          requestInput({
            namespace: 'data',
            workload: { kind: 'Deployment', name: 'ingest' },
          }),
          'root',
        );
        expect(res.status).toBe(201);
        expect(res.body.targetCheck).toMatchObject({
          result: 'verified',
          owned: false,
          anyTarget: true,
        });
        expect(
          (await post(`/requests/${res.body.id}/cancel`, {}, 'root')).status,
        ).toBe(200);
      });

      it('files with "not verified" when the cluster cannot be read', async () => {
        const res = await post(
          '/requests',
          requestInput({ cluster: 'offline' }),
        );
        expect(res.status).toBe(201);
        expect(res.body.targetCheck).toMatchObject({
          result: 'not-verified',
          message: expect.stringMatching(
            /^cluster offline could not be read: unreachable/,
          ),
        });
        // What the annotations alone rule out is refused even then.
        const elsewhere = await post(
          '/requests',
          requestInput({
            entityRef: 'component:default/checkout-in-data',
            cluster: 'offline',
            namespace: 'shop',
          }),
        );
        expect(elsewhere.status).toBe(400);
        expect(elsewhere.body.error.message).toMatch(
          /^workload\.name: .* in namespace data\)/,
        );
        // The advice after "; " reaches the form whole.
        expect(elsewhere.body.error.fields).toEqual([
          {
            field: 'workload.name',
            message: expect.stringMatching(
              /in namespace data\); cluster offline could not be read: .*; pick one of the entity's own, or ask a platform admin$/,
            ),
          },
        ]);
      });
    });

    describe('one live request per workload', () => {
      const cart = (change = {}) =>
        requestInput({
          entityRef: 'component:default/cart',
          workload: { kind: 'Deployment', name: 'cart' },
          ...change,
        });

      it('answers 409 naming the live request, then extends and replaces it', async () => {
        const first = await post('/requests', cart());
        expect(first.status).toBe(201);
        expect(first.body.targetCheck).toMatchObject({
          result: 'verified',
          owned: true,
        });

        const before = await rows();
        const second = await post('/requests', cart(), 'alice');
        expect(second.status).toBe(409);
        expect(second.body.error.message).toContain(first.body.id);
        expect(second.body.error.message).toContain('extend');
        expect(await rows()).toBe(before);

        expect((await approve(first.body.id)).status).toBe(200);

        // Extend: a pending replacement, the first stays live meanwhile.
        const later = new Date(Date.now() + 20 * 86_400_000).toISOString();
        const extension = await post(`/requests/${first.body.id}/extend`, {
          expiresAt: later,
        });
        expect(extension.status).toBe(201);
        expect(extension.body).toMatchObject({
          status: 'pending',
          supersedes: first.body.id,
          expiresAt: later,
          reason: first.body.reason,
        });
        // The approver's preview: the same config, so nothing changes, and
        // the target as the cluster has it now.
        const preview = await get(
          `/requests/${extension.body.id}/preview`,
          'ada',
        );
        expect(preview.status).toBe(200);
        expect(preview.body.objects).toEqual([]);
        expect(preview.body.targetCheck).toMatchObject({
          result: 'verified',
          owned: true,
        });

        const again = await post(`/requests/${first.body.id}/extend`, {
          expiresAt: later,
        });
        expect(again.status).toBe(409);
        expect(again.body.error.message).toContain(extension.body.id);

        // Approving it ends the first in the same transaction.
        const approved = await approve(extension.body.id);
        expect(approved.status).toBe(200);
        expect(approved.body.status).toBe('approved');
        const ended = (await get(`/requests/${first.body.id}`)).body;
        expect(ended.status).toBe('revoked');
        expect(ended.history.at(-1)).toMatchObject({
          actor: 'user:default/ada',
          to: 'revoked',
          comment: `replaced by request ${extension.body.id}`,
        });

        // The target is the extension's now.
        const third = await post('/requests', cart());
        expect(third.status).toBe(409);
        expect(third.body.error.message).toContain(extension.body.id);

        // A replacement with other settings; a pending one ends cancelled.
        const change = await post(
          '/requests',
          cart({
            supersedes: extension.body.id,
            sampling: { sampler: 'always_on', ratio: 1 },
          }),
        );
        expect(change.status).toBe(201);
        const changeOfChange = await post(
          '/requests',
          cart({ supersedes: change.body.id }),
        );
        expect(changeOfChange.status).toBe(400);
        expect(changeOfChange.body.error.message).toMatch(/^supersedes: /);

        await post(`/requests/${extension.body.id}/revoke`, {}, 'ada');
        // Its predecessor ended first: the replacement takes the free target.
        expect((await approve(change.body.id)).body.status).toBe('approved');
        await post(`/requests/${change.body.id}/revoke`, {}, 'ada');
      });

      it('refuses an extension beyond maxDuration, naming the field', async () => {
        const filed = await post(
          '/requests',
          requestInput({
            entityRef: 'component:default/forecast',
            namespace: 'data',
            workload: { kind: 'Deployment', name: 'forecast' },
          }),
          'bob',
        );
        expect(filed.status).toBe(201);
        const res = await post(
          `/requests/${filed.body.id}/extend`,
          { expiresAt: new Date(Date.now() + 40 * 86_400_000).toISOString() },
          'bob',
        );
        expect(res.status).toBe(400);
        expect(res.body.error.message).toMatch(
          /^expiresAt: must be at most 30 days/,
        );
        await post(`/requests/${filed.body.id}/cancel`, {}, 'bob');
      });
    });

    describe('approve checks again', () => {
      it('refuses a target deleted after filing', async () => {
        const name = `gone-${databaseId.toLowerCase().replace(/_/g, '')}`;
        const deployment = deploymentManifest({
          namespace: 'shop',
          name,
          entityId: 'checkout',
        });
        await kube.admin.apply(deployment as never, { force: true });
        const filed = await post(
          '/requests',
          requestInput({ workload: { kind: 'Deployment', name } }),
        );
        expect(filed.status).toBe(201);
        await kube.admin.delete(deployment);

        const res = await approve(filed.body.id);
        expect(res.status).toBe(409);
        expect(res.body.error.message).toBe(
          `Deployment shop/${name} does not exist on cluster local: it was removed after the request was filed, so there is nothing to trace; reject the request`,
        );
        expect((await get(`/requests/${filed.body.id}`)).body.status).toBe(
          'pending',
        );
      });

      it('refuses when the entity changed owners and the requester is not in the new team', async () => {
        const filed = await post(
          '/requests',
          requestInput({
            entityRef: 'component:default/checkout',
            workload: { kind: 'Deployment', name: 'checkout' },
          }),
        );
        expect(filed.status).toBe(201);
        // As filed, the entity belonged to another team.
        await knex('tracing_requests')
          .where({ id: filed.body.id })
          .update({ entity_owner: 'group:default/team-old' });
        const res = await approve(filed.body.id);
        expect(res.status).toBe(409);
        expect(res.body.error.message).toMatch(
          /^component:default\/checkout is now owned by group:default\/team-shop, and the requester user:default\/guest is not in it/,
        );
        await post(`/requests/${filed.body.id}/cancel`, {});
      });

      it('approves a verified target and records the check', async () => {
        const filed = await post(
          '/requests',
          requestInput({
            entityRef: 'component:default/prometheus-k8s',
            method: 'prometheus',
            namespace: 'monitoring',
            workload: { kind: 'Prometheus', name: 'k8s' },
          }),
          'bob',
        );
        expect(filed.status).toBe(201);
        const res = await approve(filed.body.id);
        expect(res.status).toBe(200);
        expect(res.body.targetCheck).toMatchObject({
          result: 'verified',
          owned: true,
        });
        await post(`/requests/${filed.body.id}/revoke`, {}, 'ada');
      });
    });
  },
);
