import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createTracingRequestInputSchema } from '@tracegate/plugin-tracing-common';
import { DatabaseTracingRequestStore } from '../database/DatabaseTracingRequestStore';
import {
  tracingRequestResourceRef,
  tracingRequestRules,
} from '../permissions/rules';
import { createTestDatabases } from '../__testUtils__/databases';
import {
  CATALOG,
  requestInput,
  testClusterSettings,
  testRuleset,
  testTracingConfig,
} from '../__testUtils__/fixtures';
import { ClusterRegistry } from '../clusters/ClusterRegistry';
import { TargetService } from '../targets/TargetService';
import {
  RequestTransitions,
  SYSTEM_ACTOR,
} from '../lifecycle/RequestTransitions';
import { createRequestServices } from './requestServices';

const databases = createTestDatabases();

const ruleset = testRuleset;

/**
 * The service on a fresh database with its own clock (`clock.now`), the
 * auditor mock, and the requests whose liveness changed (`changed`).
 */
async function setup(databaseId: Parameters<typeof databases.init>[0]) {
  const knex = await databases.init(databaseId);
  const store = await DatabaseTracingRequestStore.create({
    database: mockServices.database({ knex }),
  });
  const auditor = mockServices.auditor.mock();
  const logger = mockServices.logger.mock();
  const changed: string[] = [];
  const clock = { now: new Date('2026-11-25T12:00:00.000Z') };
  const transitions = new RequestTransitions({
    store,
    auditor,
    logger,
    onLiveSetChange: request => changed.push(`${request.id}:${request.status}`),
    now: () => clock.now,
  });
  const { expiry } = createRequestServices({
    store,
    catalog: catalogServiceMock({ entities: CATALOG }),
    permissions: mockServices.permissions(),
    auditor,
    logger,
    config: testTracingConfig(),
    ruleset,
    transitions,
    // Nothing listens there: targets are `not-verified`, and may be filed.
    targets: new TargetService({
      clusters: new ClusterRegistry([testClusterSettings()]),
    }),
    now: () => clock.now,
  });
  return { store, expiry, auditor, changed, clock };
}

describe.each(databases.eachSupportedId())(
  'request expiry on %p',
  databaseId => {
    it('expires live requests past expiresAt, with history and audit', async () => {
      const { store, expiry, auditor, changed, clock } = await setup(
        databaseId,
      );
      const base = {
        entityRef: 'component:default/checkout',
        entityOwner: 'group:default/team-shop',
        cluster: 'local',
        namespace: 'shop',
        workload: { kind: 'Deployment' as const, name: 'checkout' },
        method: 'ebpf' as const,
        sampling: { sampler: 'always_on' as const, ratio: 1 },
        reason: 'r',
        requestedBy: 'user:default/guest',
      };
      const at = clock.now.toISOString();
      // One workload each: a workload has one live request at most.
      const fileFor = (name: string, expiresAt: string) =>
        store.create(
          { ...base, workload: { kind: 'Deployment', name }, expiresAt },
          { actor: 'u', at },
        );
      const live = await fileFor('a', '2026-11-25T13:00:00.000Z');
      const pending = await fileFor('b', '2026-11-25T13:00:00.000Z');
      const later = await fileFor('c', '2026-11-26T00:00:00.000Z');
      for (const { id } of [live, later]) {
        await store.transition({
          id,
          from: 'pending',
          to: 'approved',
          actor: 'a',
          at,
        });
      }

      expect(await expiry.expireDue()).toEqual([]);

      clock.now = new Date('2026-11-25T14:00:00.000Z');
      const expired = await expiry.expireDue();
      expect(expired.map(r => r.id)).toEqual([live.id]);
      expect((await store.get(live.id))?.status).toBe('expired');
      expect((await store.get(pending.id))?.status).toBe('pending');
      expect((await store.get(later.id))?.status).toBe('approved');
      expect((await store.getHistory(live.id)).at(-1)).toMatchObject({
        actor: SYSTEM_ACTOR,
        from: 'approved',
        to: 'expired',
      });
      expect(changed).toEqual([`${live.id}:expired`]);
      expect(auditor.createEvent).toHaveBeenCalledWith(
        expect.objectContaining({
          eventId: 'request-expire',
          meta: { requestId: live.id },
        }),
      );
    });
  },
);

describe.each(databases.eachSupportedId())(
  'expiry at the right instant on %p',
  databaseId => {
    it('expires requests filed with +05:00, -05:00 and Z at their instant', async () => {
      const { store, expiry, clock } = await setup(databaseId);
      clock.now = new Date('2026-11-27T00:00:00.000Z');
      const schema = createTracingRequestInputSchema({
        maxDurationMs: 30 * 86_400_000,
        now: () => clock.now.getTime(),
      });
      // The same wall-clock time, 13:00, in three zones: 08:00Z, 13:00Z, 18:00Z.
      const ids: Record<string, string> = {};
      // One workload per zone: a workload has one live request at most.
      for (const [expiresAt, workload] of [
        ['2026-11-27T13:00:00+05:00', 'east'],
        ['2026-11-27T13:00:00Z', 'utc'],
        ['2026-11-27T13:00:00-05:00', 'west'],
      ]) {
        const input = schema.parse({
          ...requestInput({
            workload: { kind: 'Deployment', name: workload },
          }),
          expiresAt,
        });
        const filed = await store.create(
          {
            ...input,
            entityOwner: 'group:default/team-shop',
            requestedBy: 'user:default/guest',
          },
          { actor: 'u', at: clock.now.toISOString() },
        );
        await store.transition({
          id: filed.id,
          from: 'pending',
          to: 'approved',
          actor: 'a',
          at: clock.now.toISOString(),
        });
        ids[expiresAt.slice(19)] = filed.id;
      }
      const expiredAt = async (iso: string) => {
        clock.now = new Date(iso);
        return (await expiry.expireDue()).map(r => r.id);
      };
      expect(await expiredAt('2026-11-27T07:59:59.000Z')).toEqual([]);
      expect(await expiredAt('2026-11-27T08:00:00.000Z')).toEqual([
        ids['+05:00'],
      ]);
      expect(await expiredAt('2026-11-27T12:59:59.000Z')).toEqual([]);
      expect(await expiredAt('2026-11-27T13:00:00.000Z')).toEqual([ids.Z]);
      expect(await expiredAt('2026-11-27T17:59:59.000Z')).toEqual([]);
      expect(await expiredAt('2026-11-27T18:00:00.000Z')).toEqual([
        ids['-05:00'],
      ]);
    });
  },
);

describe('the rules registered for the tracing-request resource', () => {
  it('are the ones the resource ref names', () => {
    expect(tracingRequestResourceRef.resourceType).toBe('tracing-request');
    expect(Object.values(tracingRequestRules).map(r => r.name)).toEqual([
      'IS_REQUESTER',
      'IS_ENTITY_OWNER',
      'HAS_STATUS',
      'IS_ON_CLUSTER',
    ]);
  });
});
