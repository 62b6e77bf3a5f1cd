// @ts-check

const LIVE = ['pending', 'approved', 'active', 'failed'];

/**
 * Targets checked on the live cluster, one live request per target, and
 * replacements:
 * - `target_check`: JSON of the last live check of the target;
 * - `supersedes`: the id of the live request a request replaces;
 * - `live_target`: `cluster/kind/namespace/name` while the request holds its
 *   target (pending or live, not a pending replacement), else NULL. The
 *   unique index makes a second live request for one target impossible even
 *   when two creates race (NULLs never collide, on SQLite and PostgreSQL).
 * The native method's target is a `Prometheus` CR, no longer a `Deployment`.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('tracing_requests', table => {
    table.text('target_check').nullable().comment('JSON: TargetCheck');
    table.string('supersedes', 36).nullable();
    table.string('live_target', 600).nullable();
    table.unique(['live_target'], {
      indexName: 'tracing_requests_live_target_unique',
    });
  });
  await knex('tracing_requests')
    .where({ method: 'prometheus' })
    .update({ workload_kind: 'Prometheus' });
  // Rows filed before the rule: the newest live request of each target holds
  // it; older duplicates stay live until they end, without holding it.
  const rows = await knex('tracing_requests')
    .whereIn('status', LIVE)
    .orderBy('seq', 'desc')
    .select('id', 'cluster', 'workload_kind', 'namespace', 'workload_name');
  const held = new Set();
  for (const row of rows) {
    const key = `${row.cluster}/${row.workload_kind}/${row.namespace}/${row.workload_name}`;
    if (held.has(key)) continue;
    held.add(key);
    await knex('tracing_requests')
      .where({ id: row.id })
      .update({ live_target: key });
  }
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('tracing_requests', table => {
    table.dropUnique(['live_target'], 'tracing_requests_live_target_unique');
  });
  await knex.schema.alterTable('tracing_requests', table => {
    table.dropColumn('target_check');
    table.dropColumn('supersedes');
    table.dropColumn('live_target');
  });
  await knex('tracing_requests')
    .where({ workload_kind: 'Prometheus' })
    .update({ workload_kind: 'Deployment' });
};
