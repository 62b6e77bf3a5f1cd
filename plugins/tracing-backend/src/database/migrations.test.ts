import { resolvePackagePath } from '@backstage/backend-plugin-api';
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
    await knex.migrate.down({ directory });
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
});
