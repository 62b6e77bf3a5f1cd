import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import { SYSTEM_ACTOR } from './lifecycle/RequestTransitions';
import {
  startTracingBackend,
  TracingTestBackend,
} from './__testUtils__/backend';
import { createTestDatabases } from './__testUtils__/databases';
import {
  requestInput,
  TestUser,
  unreachableCluster,
} from './__testUtils__/fixtures';

const databases = createTestDatabases();

let filedCount = 0;
/** A valid body for a workload of its own: one live request per workload. */
const uniqueInput: typeof requestInput = change =>
  requestInput({
    workload: { kind: 'Deployment', name: `checkout-${++filedCount}` },
    ...change,
  });

jest.setTimeout(60_000);

describe.each(databases.eachSupportedId())(
  'the /api/tracing routes on %p',
  databaseId => {
    let server: Parameters<typeof request>[0];
    let get: TracingTestBackend['get'];
    let post: TracingTestBackend['post'];

    beforeAll(async () => {
      ({ server, get, post } = await startTracingBackend({
        knex: await databases.init(databaseId),
        tracing: {
          maxDuration: { days: 30 },
          // Nothing listens on port 9: the lifecycle works without a cluster.
          clusters: [unreachableCluster()],
        },
      }));
    });

    async function file(user: TestUser = 'guest', change = {}) {
      const res = await post('/requests', uniqueInput(change), user);
      expect(res.status).toBe(201);
      return res.body as { id: string; status: string };
    }

    async function count() {
      const res = await get('/requests?limit=100');
      return res.body.items.length as number;
    }

    describe('GET /health', () => {
      it('answers a user and a service, refuses anonymous callers', async () => {
        expect((await get('/health')).body).toEqual({ status: 'ok' });
        const service = await request(server)
          .get('/api/tracing/health')
          .set('Authorization', mockCredentials.service.header());
        expect(service.status).toBe(200);
        const anonymous = await request(server)
          .get('/api/tracing/health')
          .set('Authorization', mockCredentials.none.header());
        expect(anonymous.status).toBe(401);
      });
    });

    describe('POST /requests', () => {
      it('files a pending request for an owner', async () => {
        const input = uniqueInput();
        const res = await post('/requests', input);
        expect(res.status).toBe(201);
        expect(res.body).toMatchObject({
          ...input,
          id: expect.any(String),
          status: 'pending',
          requestedBy: 'user:default/guest',
          entityOwner: 'group:default/team-shop',
        });
      });

      it.each([
        [
          'entityRef',
          { entityRef: 'component:default/nope' },
          'is not in the catalog',
        ],
        [
          'entityRef',
          { entityRef: 'api:default/checkout' },
          'must be a Component',
        ],
        // A website is a Component too; this one says nowhere where it runs.
        [
          'workload.name',
          { entityRef: 'component:default/shop-web' },
          "is not one of component:default/shop-web's workloads",
        ],
        [
          'cluster',
          { cluster: 'prod-eu' },
          'is not a configured cluster (configured: local)',
        ],
        ['namespace', { namespace: 'Shop' }, 'DNS-1123 label'],
        [
          'workload.name',
          { workload: { kind: 'Deployment', name: 'a b' } },
          'DNS-1123 subdomain',
        ],
        ['workload.kind', { workload: { kind: 'CronJob', name: 'x' } }, ''],
        ['openPorts', { openPorts: '70000' }, 'between 1 and 65535'],
        ['method', { method: 'magic' }, ''],
        [
          'sampling.sampler',
          { sampling: { sampler: 'maybe', ratio: 0.5 } },
          '',
        ],
        [
          'sampling.ratio',
          { sampling: { sampler: 'always_on', ratio: 2 } },
          'between 0 and 1',
        ],
        [
          'expiresAt',
          { expiresAt: '2020-01-01T00:00:00Z' },
          'must be in the future',
        ],
        [
          'expiresAt',
          { expiresAt: new Date(Date.now() + 40 * 86_400_000).toISOString() },
          'at most 30 days',
        ],
        ['reason', { reason: '' }, 'between 1 and 2000'],
        ['podLabels', { podLabels: { app: 'x: y' } }, 'label value'],
        [
          'namespace',
          { namespace: 'kube-system' },
          "kube-system is in Beyla's default exclusions",
        ],
      ])(
        'answers 400 naming %s, and writes nothing',
        async (field, change, message) => {
          const before = await count();
          const res = await post('/requests', { ...uniqueInput(), ...change });
          expect(res.status).toBe(400);
          expect(res.body.error.name).toBe('InputError');
          expect(res.body.error.message).toMatch(new RegExp(`^${field}: `));
          expect(res.body.error.message).toContain(message);
          expect(res.body.error.fields).toContainEqual({
            field,
            message: expect.stringContaining(message),
          });
          expect(await count()).toBe(before);
        },
      );

      it('lets a Prometheus CR in a namespace Beyla excludes through, and rounds the ratio', async () => {
        const res = await post(
          '/requests',
          uniqueInput({
            method: 'prometheus',
            namespace: 'monitoring',
            workload: { kind: 'Prometheus', name: 'k8s' },
            sampling: { sampler: 'traceidratio', ratio: 0.1 + 0.2 },
          }),
        );
        expect(res.status).toBe(201);
        expect(res.body.sampling.ratio).toBe(0.3);
      });

      it('stores expiresAt as the same instant in UTC, whatever the offset', async () => {
        const at = Date.now() + 2 * 86_400_000;
        const local = (offsetHours: number) => {
          const shifted = new Date(at + offsetHours * 3_600_000)
            .toISOString()
            .replace(/\.\d{3}Z$/, '');
          const sign = offsetHours < 0 ? '-' : '+';
          const hh = String(Math.abs(offsetHours)).padStart(2, '0');
          return `${shifted}${sign}${hh}:00`;
        };
        const utc = new Date(Math.floor(at / 1000) * 1000).toISOString();
        for (const expiresAt of [local(5), local(-5), utc]) {
          const res = await post('/requests', uniqueInput({ expiresAt }));
          expect(res.status).toBe(201);
          expect(res.body.expiresAt).toBe(utc);
        }
      });

      it('answers 413 naming the body when it is over 64 KB, and 400 when it is not JSON', async () => {
        const before = await count();
        const huge = await post('/requests', {
          ...uniqueInput(),
          reason: 'x'.repeat(70_000),
        });
        expect(huge.status).toBe(413);
        expect(huge.body.error.message).toBe('(body): must be at most 64kb');
        const broken = await request(server)
          .post('/api/tracing/requests')
          .set('Authorization', mockCredentials.user.header())
          .set('Content-Type', 'application/json')
          .send('{"entityRef":');
        expect(broken.status).toBe(400);
        expect(broken.body.error.message).toMatch(
          /^\(body\): must be a JSON object/,
        );
        expect(await count()).toBe(before);
      });

      it('refuses unknown fields', async () => {
        const res = await post('/requests', { ...uniqueInput(), image: 'x' });
        expect(res.status).toBe(400);
        expect(res.body.error.message).toBe('image: is not a known field');
      });

      it('answers 401 without credentials', async () => {
        const res = await request(server)
          .post('/api/tracing/requests')
          .set('Authorization', mockCredentials.none.header())
          .send(uniqueInput());
        expect(res.status).toBe(401);
      });

      it('answers 403 to someone who does not own the service, and writes nothing', async () => {
        const before = await count();
        const res = await post('/requests', uniqueInput(), 'bob');
        expect(res.status).toBe(403);
        expect(res.body.error.name).toBe('NotAllowedError');
        expect(await count()).toBe(before);
      });
    });

    describe('GET /requests and /requests/:id', () => {
      it('lists newest first, pages with a cursor and filters', async () => {
        const a = await file('guest', { entityRef: 'component:default/cart' });
        const b = await file('alice', { entityRef: 'component:default/cart' });
        const page1 = await get(
          '/requests?entityRef=component:default/cart&limit=1',
        );
        expect(page1.status).toBe(200);
        expect(page1.body.items.map((r: { id: string }) => r.id)).toEqual([
          b.id,
        ]);
        const page2 = await get(
          `/requests?entityRef=component:default/cart&limit=1&cursor=${page1.body.nextCursor}`,
        );
        expect(page2.body.items.map((r: { id: string }) => r.id)).toEqual([
          a.id,
        ]);

        const pending = await get(
          '/requests?status=pending&status=approved&cluster=local',
        );
        expect(pending.status).toBe(200);
        expect(
          pending.body.items.every(
            (r: { status: string }) => r.status === 'pending',
          ),
        ).toBe(true);
      });

      it.each([
        ['status', '?status=done'],
        ['limit', '?limit=0'],
        ['cursor', '?cursor=abc'],
        ['sort', '?sort=asc'],
      ])('answers 400 naming %s', async (field, query) => {
        const res = await get(`/requests${query}`);
        expect(res.status).toBe(400);
        expect(res.body.error.message).toContain(field);
      });

      it('returns one request with its history, or 404', async () => {
        const { id } = await file();
        const res = await get(`/requests/${id}`, 'bob');
        expect(res.status).toBe(200);
        expect(res.body.history).toEqual([
          expect.objectContaining({
            actor: 'user:default/guest',
            from: null,
            to: 'pending',
          }),
        ]);
        expect(
          (await get('/requests/11111111-2222-3333-4444-555555555555')).status,
        ).toBe(404);
      });

      it('answers 401 without credentials', async () => {
        const res = await request(server)
          .get('/api/tracing/requests')
          .set('Authorization', mockCredentials.none.header());
        expect(res.status).toBe(401);
      });
    });

    describe('decisions', () => {
      it('lets an admin approve with a comment and records the history', async () => {
        const { id } = await file();
        const res = await post(
          `/requests/${id}/approve`,
          { comment: 'go ahead' },
          'ada',
        );
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({
          status: 'approved',
          decision: { by: 'user:default/ada', comment: 'go ahead' },
        });
        // The applier's own steps follow (to failed: no cluster here).
        const history = (await get(`/requests/${id}`)).body.history.filter(
          (h: { actor: string }) => h.actor !== SYSTEM_ACTOR,
        );
        expect(history.map((h: { to: string }) => h.to)).toEqual([
          'pending',
          'approved',
        ]);
        expect(history[1]).toMatchObject({
          actor: 'user:default/ada',
          from: 'pending',
          comment: 'go ahead',
        });
      });

      it('answers 403 to a non-admin approver and to an admin deciding their own request', async () => {
        const { id } = await file();
        expect(
          (await post(`/requests/${id}/approve`, {}, 'alice')).status,
        ).toBe(403);
        const own = await file('root');
        const res = await post(`/requests/${own.id}/approve`, {}, 'root');
        expect(res.status).toBe(403);
        expect(res.body.error.message).toContain('your own request');
      });

      it('requires a comment to reject', async () => {
        const { id } = await file();
        const missing = await post(`/requests/${id}/reject`, {}, 'ada');
        expect(missing.status).toBe(400);
        expect(missing.body.error.message).toContain('comment:');
        const res = await post(
          `/requests/${id}/reject`,
          { comment: 'use the SDK' },
          'ada',
        );
        expect(res.status).toBe(200);
        expect(res.body.status).toBe('rejected');
      });

      it.each([
        ['approve', 'approved', 'approve'],
        ['approve', 'approved', 'reject'],
        ['approve', 'approved', 'cancel'],
        ['reject', 'rejected', 'approve'],
        ['reject', 'rejected', 'revoke'],
      ] as const)(
        'answers 409 to %s then %s, then %s',
        async (first, _state, second) => {
          const { id } = await file();
          const body = { comment: 'because' };
          expect(
            (await post(`/requests/${id}/${first}`, body, 'ada')).status,
          ).toBe(200);
          const user = second === 'cancel' ? 'guest' : 'ada';
          const res = await post(`/requests/${id}/${second}`, body, user);
          expect(res.status).toBe(409);
          expect(res.body.error.name).toBe('ConflictError');
        },
      );

      it('answers 409 to revoking a pending request and to cancelling a revoked one', async () => {
        const { id } = await file();
        expect((await post(`/requests/${id}/revoke`, {}, 'ada')).status).toBe(
          409,
        );
        await post(`/requests/${id}/approve`, {}, 'ada');
        expect((await post(`/requests/${id}/revoke`, {}, 'guest')).status).toBe(
          200,
        );
        expect((await post(`/requests/${id}/cancel`, {}, 'guest')).status).toBe(
          409,
        );
      });

      it('gives exactly one 200 to twenty admins approving at once', async () => {
        const { id } = await file();
        const results = await Promise.all(
          Array.from({ length: 20 }, () =>
            post(`/requests/${id}/approve`, {}, 'ada'),
          ),
        );
        const statuses = results.map(r => r.status).sort();
        expect(statuses.filter(s => s === 200)).toHaveLength(1);
        expect(statuses.filter(s => s === 409)).toHaveLength(19);
        const history = (await get(`/requests/${id}`)).body.history;
        expect(
          history.filter((h: { to: string }) => h.to === 'approved'),
        ).toHaveLength(1);
      });

      it('lets owners and admins revoke, not others', async () => {
        const { id } = await file();
        await post(`/requests/${id}/approve`, {}, 'ada');
        expect((await post(`/requests/${id}/revoke`, {}, 'bob')).status).toBe(
          403,
        );
        const res = await post(
          `/requests/${id}/revoke`,
          { comment: 'done' },
          'alice',
        );
        expect(res.status).toBe(200);
        expect(res.body.status).toBe('revoked');
      });

      it('lets only the requester cancel', async () => {
        const { id } = await file('guest');
        expect((await post(`/requests/${id}/cancel`, {}, 'alice')).status).toBe(
          403,
        );
        const res = await post(`/requests/${id}/cancel`, {}, 'guest');
        expect(res.status).toBe(200);
        expect(res.body.status).toBe('cancelled');
      });

      it('answers 404 for an unknown request and 400 for an unknown field', async () => {
        expect(
          (
            await post(
              '/requests/11111111-2222-3333-4444-555555555555/approve',
              {},
              'ada',
            )
          ).status,
        ).toBe(404);
        const { id } = await file();
        const res = await post(
          `/requests/${id}/approve`,
          { comment: 'x', force: true },
          'ada',
        );
        expect(res.status).toBe(400);
        expect(res.body.error.message).toBe('force: is not a known field');
      });

      it('answers 401 without credentials', async () => {
        const { id } = await file();
        const res = await request(server)
          .post(`/api/tracing/requests/${id}/approve`)
          .set('Authorization', mockCredentials.none.header())
          .send({});
        expect(res.status).toBe(401);
      });
    });
  },
);
