import { mockServices } from '@backstage/backend-test-utils';
import { createTestDatabases } from '../__testUtils__/databases';
import { DatabaseClusterStore } from './DatabaseClusterStore';
import { DatabaseTracingRequestStore } from './DatabaseTracingRequestStore';
import { NewTracingRequest } from './TracingRequestStore';

const databases = createTestDatabases();

let filedCount = 0;

/** A new request; each for a workload of its own (one live request each). */
function filed(change: Partial<NewTracingRequest> = {}): NewTracingRequest {
  filedCount += 1;
  return {
    entityRef: 'component:default/checkout',
    entityOwner: 'group:default/team-shop',
    cluster: 'local',
    namespace: 'shop',
    workload: { kind: 'Deployment', name: `checkout-${filedCount}` },
    podLabels: { app: 'checkout' },
    openPorts: '8080',
    method: 'ebpf',
    sampling: { sampler: 'traceidratio', ratio: 0.1 },
    expiresAt: '2026-12-01T00:00:00.000Z',
    reason: 'slow checkouts',
    requestedBy: 'user:default/guest',
    ...change,
  };
}

const at = (minute: number) =>
  new Date(Date.UTC(2026, 10, 25, 12, minute)).toISOString();

describe.each(databases.eachSupportedId())(
  'DatabaseTracingRequestStore on %p',
  databaseId => {
    async function createStore() {
      const knex = await databases.init(databaseId);
      const store = await DatabaseTracingRequestStore.create({
        database: mockServices.database({ knex }),
      });
      const clusters = await DatabaseClusterStore.create({
        database: mockServices.database({ knex }),
      });
      return { knex, store, clusters };
    }

    it('stores a request with its first history row', async () => {
      const { store } = await createStore();
      const request = filed();
      const created = await store.create(request, {
        actor: 'user:default/guest',
        at: at(0),
      });
      expect(created).toEqual({
        ...request,
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        status: 'pending',
        createdAt: at(0),
        updatedAt: at(0),
      });
      expect(await store.get(created.id)).toEqual(created);
      expect(await store.getHistory(created.id)).toEqual([
        { actor: 'user:default/guest', at: at(0), from: null, to: 'pending' },
      ]);
      expect(
        await store.get('00000000-0000-0000-0000-000000000000'),
      ).toBeUndefined();
    });

    it('moves state by compare-and-set and records decisions', async () => {
      const { store } = await createStore();
      const { id } = await store.create(filed(), { actor: 'u', at: at(0) });

      const approved = await store.transition({
        id,
        from: 'pending',
        to: 'approved',
        actor: 'user:default/ada',
        at: at(1),
        comment: 'ok for a week',
        recordDecision: true,
      });
      expect(approved).toMatchObject({
        status: 'approved',
        updatedAt: at(1),
        decision: {
          by: 'user:default/ada',
          at: at(1),
          comment: 'ok for a week',
        },
      });

      // A second transition that still believes the request is pending loses.
      const stale = await store.transition({
        id,
        from: 'pending',
        to: 'rejected',
        actor: 'user:default/other-admin',
        at: at(2),
        recordDecision: true,
      });
      expect(stale).toBeUndefined();
      expect((await store.get(id))?.status).toBe('approved');
      expect((await store.getHistory(id)).map(h => h.to)).toEqual([
        'pending',
        'approved',
      ]);
    });

    it('lets exactly one of many concurrent transitions through', async () => {
      const { store } = await createStore();
      const { id } = await store.create(filed(), { actor: 'u', at: at(0) });
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store.transition({
            id,
            from: 'pending',
            to: 'approved',
            actor: `user:default/admin-${i}`,
            at: at(1),
            recordDecision: true,
          }),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store.getHistory(id)).toHaveLength(2);
    });

    it('pages newest first with a cursor, and filters', async () => {
      const { store } = await createStore();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const created = await store.create(
          filed({
            entityRef:
              i % 2 ? 'component:default/cart' : 'component:default/checkout',
            cluster: i < 4 ? 'local' : 'prod',
            requestedBy: i === 0 ? 'user:default/alice' : 'user:default/guest',
          }),
          { actor: 'u', at: at(i) },
        );
        ids.push(created.id);
      }
      const first = await store.list({ limit: 2 });
      expect(first.items.map(r => r.id)).toEqual([ids[4], ids[3]]);
      const second = await store.list({ limit: 2, cursor: first.nextCursor });
      expect(second.items.map(r => r.id)).toEqual([ids[2], ids[1]]);
      const third = await store.list({ limit: 2, cursor: second.nextCursor });
      expect(third.items.map(r => r.id)).toEqual([ids[0]]);
      expect(third.nextCursor).toBeUndefined();

      expect(
        (
          await store.list({ limit: 10, entityRef: 'component:default/cart' })
        ).items.map(r => r.id),
      ).toEqual([ids[3], ids[1]]);
      expect(
        (await store.list({ limit: 10, cluster: 'prod' })).items,
      ).toHaveLength(1);
      expect(
        (await store.list({ limit: 10, statuses: ['approved'] })).items,
      ).toHaveLength(0);
      expect(
        (await store.list({ limit: 10, statuses: ['pending'] })).items,
      ).toHaveLength(5);
    });

    it('searches words case-insensitively across service, workload, requester and reason, wildcards literal', async () => {
      const { store } = await createStore();
      const make = (change: Partial<NewTracingRequest>, minute: number) =>
        store.create(filed(change), { actor: 'u', at: at(minute) });
      const checkout = await make({ reason: 'P99 latency in Checkout' }, 0);
      const cart = await make(
        {
          entityRef: 'component:default/cart',
          workload: { kind: 'Deployment', name: 'cart-api' },
          requestedBy: 'user:default/alice',
          reason: 'errors at 100%_peak',
        },
        1,
      );
      const ids = async (
        q: string,
        more: { cursor?: string; limit?: number } = {},
      ) =>
        (
          await store.list({ q, limit: more.limit ?? 20, cursor: more.cursor })
        ).items.map(r => r.id);
      expect(await ids('CHECKOUT')).toEqual([checkout.id]);
      expect(await ids('cart-API')).toEqual([cart.id]);
      expect(await ids('alice')).toEqual([cart.id]);
      expect(await ids('latency checkout')).toEqual([checkout.id]);
      expect(await ids('latency alice')).toEqual([]);
      expect(await ids('shop')).toEqual([cart.id, checkout.id]);
      // % and _ are letters here, not wildcards.
      expect(await ids('100%_')).toEqual([cart.id]);
      expect(await ids('%')).toEqual([cart.id]);
      expect(await ids('p_9')).toEqual([]);
      // Paging keeps the search.
      const first = await store.list({ q: 'shop', limit: 1 });
      expect(first.items.map(r => r.id)).toEqual([cart.id]);
      expect(await ids('shop', { cursor: first.nextCursor, limit: 1 })).toEqual(
        [checkout.id],
      );
    });

    it('applies permission criteria in the query', async () => {
      const { store } = await createStore();
      await store.create(filed({ requestedBy: 'user:default/alice' }), {
        actor: 'u',
        at: at(0),
      });
      await store.create(filed({ entityOwner: 'group:default/team-data' }), {
        actor: 'u',
        at: at(1),
      });
      await store.create(filed(), { actor: 'u', at: at(2) });

      const mine = await store.list({
        limit: 10,
        filter: { field: 'requestedBy', values: ['user:default/alice'] },
      });
      expect(mine.items).toHaveLength(1);

      const either = await store.list({
        limit: 10,
        filter: {
          anyOf: [
            { field: 'requestedBy', values: ['user:default/alice'] },
            { field: 'entityOwner', values: ['group:default/team-data'] },
          ],
        },
      });
      expect(either.items).toHaveLength(2);

      const notData = await store.list({
        limit: 10,
        filter: {
          allOf: [
            {
              not: {
                field: 'entityOwner',
                values: ['group:default/team-data'],
              },
            },
            { field: 'status', values: ['pending'] },
          ],
        },
      });
      expect(notData.items).toHaveLength(2);
    });

    it('refuses a cursor it did not make', async () => {
      const { store } = await createStore();
      await expect(store.list({ limit: 1, cursor: 'bogus' })).rejects.toThrow(
        'cursor: is not a cursor this API returned',
      );
    });

    it('finds requests past their expiry in the given states', async () => {
      const { store } = await createStore();
      const early = await store.create(filed({ expiresAt: at(10) }), {
        actor: 'u',
        at: at(0),
      });
      await store.create(filed({ expiresAt: at(30) }), {
        actor: 'u',
        at: at(0),
      });
      await store.transition({
        id: early.id,
        from: 'pending',
        to: 'approved',
        actor: 'a',
        at: at(1),
      });

      const due = await store.listExpired({
        at: at(20),
        statuses: ['approved', 'active'],
      });
      expect(due.map(r => r.id)).toEqual([early.id]);
      expect(
        await store.listExpired({ at: at(5), statuses: ['approved'] }),
      ).toEqual([]);
    });

    it('keeps requests when the store is created again (restart)', async () => {
      const { knex, store } = await createStore();
      const created = await store.create(filed(), { actor: 'u', at: at(0) });
      const again = await DatabaseTracingRequestStore.create({
        database: mockServices.database({ knex }),
      });
      expect(await again.get(created.id)).toEqual(created);
    });

    it('counts changes of the live set per cluster, in the same transaction', async () => {
      const { store, clusters } = await createStore();
      const request = await store.create(filed(), { actor: 'u', at: at(0) });
      expect(await clusters.clusterRevision('local')).toBe(0);
      const move = (from: any, to: any) =>
        store.transition({ id: request.id, from, to, actor: 'a', at: at(1) });
      await move('pending', 'approved');
      expect(await clusters.clusterRevision('local')).toBe(1);
      await move('approved', 'active'); // still live: same objects
      expect(await clusters.clusterRevision('local')).toBe(1);
      await move('active', 'revoked');
      expect(await clusters.clusterRevision('local')).toBe(2);
      expect(await clusters.clusterRevision('other')).toBe(0);
    });

    it('leases a cluster to one holder until it expires or is released', async () => {
      const { clusters } = await createStore();
      const lease = (holder: string, now: number) =>
        clusters.acquireLease({ cluster: 'local', holder, ttlMs: 1000, now });
      expect(await lease('a', 0)).toBe(true);
      expect(await lease('b', 500)).toBe(false);
      expect(await lease('a', 900)).toBe(true); // renewed until 1900
      expect(await lease('b', 1500)).toBe(false);
      expect(await lease('b', 2000)).toBe(true); // a's ran out
      expect(await lease('a', 2100)).toBe(false);
      await clusters.releaseLease({ cluster: 'local', holder: 'a' }); // not a's
      expect(await lease('a', 2200)).toBe(false);
      await clusters.releaseLease({ cluster: 'local', holder: 'b' });
      expect(await lease('a', 2300)).toBe(true);
    });

    it("records a cluster's state, and reads only the clusters asked for", async () => {
      const { clusters } = await createStore();
      const state = {
        at: at(1),
        beylaObjects: [
          { kind: 'DaemonSet', name: 'beyla', present: true, detail: 'ok' },
        ],
        sharedObjects: [],
        errors: [],
      };
      expect(await clusters.states(['local'])).toEqual(new Map());
      await clusters.recordState('local', state);
      await clusters.recordState('other', { ...state, errors: ['down'] });
      expect(await clusters.states(['local'])).toEqual(
        new Map([['local', state]]),
      );
      expect(await clusters.states([])).toEqual(new Map());
    });
  },
);
