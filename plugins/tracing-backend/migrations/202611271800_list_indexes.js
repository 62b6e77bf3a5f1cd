// @ts-check

/**
 * Indexes for the pages of `GET /requests`, newest first, measured at
 * 100,000 rows (bench:api-load):
 * - by requester ("My requests"): without it every row was scanned
 *   (SQLite p99 152 ms);
 * - by status and cluster (the queue's filters): PostgreSQL fetched and
 *   sorted every match (p50 89 ms).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('tracing_requests', table => {
    table.index(['requested_by', 'seq'], 'tracing_requests_requester_idx');
    table.index(
      ['status', 'cluster', 'seq'],
      'tracing_requests_status_cluster_idx',
    );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('tracing_requests', table => {
    table.dropIndex(['requested_by', 'seq'], 'tracing_requests_requester_idx');
    table.dropIndex(
      ['status', 'cluster', 'seq'],
      'tracing_requests_status_cluster_idx',
    );
  });
};
