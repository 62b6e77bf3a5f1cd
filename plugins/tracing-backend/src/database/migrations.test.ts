import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { createTestDatabases } from '../__testUtils__/databases';

const databases = createTestDatabases();
const directory = resolvePackagePath(
  '@tracegate/plugin-tracing-backend',
  'migrations',
);

/** A row as the first migration's table takes it. */
function requestRow(id: string, expiresAt: string) {
  return {
    id,
    entity_ref: 'component:default/checkout',
    entity_owner: 'group:default/team-shop',
    cluster: 'local',
    namespace: 'shop',
    workload_kind: 'Deployment',
    workload_name: 'checkout',
    method: 'ebpf',
    sampler: 'always_on',
    ratio: 1,
    expires_at: expiresAt,
    reason: 'r',
    status: 'pending',
    requested_by: 'user:default/guest',
    created_at: '2026-11-25T00:00:00.000Z',
    updated_at: '2026-11-25T00:00:00.000Z',
  };
}

/** Rolls back every migration from `version` on, however many came later. */
async function migrateDownBefore(knex: Knex, version: string) {
  for (;;) {
    const current = await knex.migrate.currentVersion({ directory });
    if (current === 'none' || current < version) return;
    await knex.migrate.down({ directory });
  }
}

describe.each(databases.eachSupportedId())('migrations on %p', databaseId => {
  it('go up, down and up again', async () => {
    const knex = await databases.init(databaseId);

    await knex.migrate.latest({ directory });
    expect(await knex.schema.hasTable('tracing_requests')).toBe(true);
    expect(await knex.schema.hasTable('tracing_request_history')).toBe(true);
    expect(
      await knex.schema.hasColumn('tracing_requests', 'last_apply_rollout'),
    ).toBe(true);

    await knex.migrate.rollback({ directory }, true);
    expect(await knex.schema.hasTable('tracing_requests')).toBe(false);
    expect(await knex.schema.hasTable('tracing_request_history')).toBe(false);

    await knex.migrate.latest({ directory });
    await knex('tracing_requests').insert(
      requestRow(
        '11111111-1111-1111-1111-111111111111',
        '2026-12-01T00:00:00.000Z',
      ),
    );
    expect(await knex('tracing_requests').count({ n: '*' })).toEqual([
      { n: expect.anything() },
    ]);

    // A row filed with an offset before expires_at was normalised.
    await migrateDownBefore(knex, '202611271300');
    await knex('tracing_requests').insert(
      requestRow(
        '22222222-2222-2222-2222-222222222222',
        '2026-11-27T13:10:25+05:00',
      ),
    );
    await knex.migrate.latest({ directory });
    expect(
      await knex('tracing_requests')
        .where({ id: '22222222-2222-2222-2222-222222222222' })
        .first('expires_at'),
    ).toEqual({ expires_at: '2026-11-27T08:10:25.000Z' });
  });

  it('gives each target to its newest live request, and Prometheus its kind', async () => {
    const knex = await databases.init(databaseId);
    await knex.migrate.latest({ directory });
    await migrateDownBefore(knex, '202611271400');
    const row = (id: string, change: object) => ({
      ...requestRow(id, '2026-12-01T00:00:00.000Z'),
      ...change,
    });
    await knex('tracing_requests').insert([
      row('11111111-1111-1111-1111-111111111111', { status: 'active' }),
      row('22222222-2222-2222-2222-222222222222', { status: 'approved' }),
      row('33333333-3333-3333-3333-333333333333', { status: 'expired' }),
      row('44444444-4444-4444-4444-444444444444', {
        method: 'prometheus',
        namespace: 'monitoring',
        workload_name: 'k8s',
      }),
    ]);
    await knex.migrate.latest({ directory });
    const rows = await knex('tracing_requests')
      .orderBy('seq')
      .select('live_target', 'workload_kind');
    expect(rows).toEqual([
      { live_target: null, workload_kind: 'Deployment' },
      {
        live_target: 'local/Deployment/shop/checkout',
        workload_kind: 'Deployment',
      },
      { live_target: null, workload_kind: 'Deployment' },
      {
        live_target: 'local/Prometheus/monitoring/k8s',
        workload_kind: 'Prometheus',
      },
    ]);
    // A second holder of a target is refused by the database itself.
    await expect(
      knex('tracing_requests').insert(
        row('55555555-5555-5555-5555-555555555555', {
          live_target: 'local/Deployment/shop/checkout',
        }),
      ),
    ).rejects.toThrow(/unique/i);

    await migrateDownBefore(knex, '202611271400');
    expect(await knex.schema.hasColumn('tracing_requests', 'live_target')).toBe(
      false,
    );
    expect(
      await knex('tracing_requests')
        .where({ method: 'prometheus' })
        .first('workload_kind'),
    ).toEqual({ workload_kind: 'Deployment' });
  });
});
