// @ts-check

/**
 * Tracing requests and their history.
 *
 * Timestamps are ISO-8601 UTC strings of fixed width (toISOString): they sort
 * and compare the same on SQLite and PostgreSQL, and map to the API unchanged.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('tracing_requests', table => {
    table.comment(
      'Tracing requests: what a team asked to trace, and its state',
    );
    // seq orders the queue and keys the pagination cursor; id is the public id.
    table.bigIncrements('seq').primary();
    table.string('id', 36).notNullable().unique();
    table.string('entity_ref').notNullable();
    table.string('entity_owner').notNullable();
    table.string('cluster').notNullable();
    table.string('namespace', 63).notNullable();
    table.string('workload_kind', 32).notNullable();
    table.string('workload_name', 253).notNullable();
    table.text('pod_labels').nullable().comment('JSON object');
    table.string('open_ports').nullable();
    table.string('method', 32).notNullable();
    table.string('sampler', 64).notNullable();
    table.double('ratio').notNullable();
    table.string('expires_at', 32).notNullable();
    table.text('reason').notNullable();
    table.string('status', 32).notNullable();
    table.string('requested_by').notNullable();
    table.string('created_at', 32).notNullable();
    table.string('updated_at', 32).notNullable();
    table.string('decided_by').nullable();
    table.string('decided_at', 32).nullable();
    table.text('decision_comment').nullable();
    table.string('last_apply_at', 32).nullable();
    table.text('last_apply_error').nullable();

    table.index(['status', 'seq'], 'tracing_requests_queue_idx');
    table.index(['entity_ref', 'seq'], 'tracing_requests_entity_idx');
    table.index(['cluster', 'status'], 'tracing_requests_cluster_idx');
    table.index(['status', 'expires_at'], 'tracing_requests_expiry_idx');
  });

  await knex.schema.createTable('tracing_request_history', table => {
    table.comment('One row per state change of a tracing request');
    table.bigIncrements('seq').primary();
    table
      .string('request_id', 36)
      .notNullable()
      .references('id')
      .inTable('tracing_requests')
      .onDelete('CASCADE');
    table.string('actor').notNullable();
    table.string('at', 32).notNullable();
    table.string('from_status', 32).nullable();
    table.string('to_status', 32).notNullable();
    table.text('comment').nullable();
    table.index(['request_id', 'seq'], 'tracing_request_history_request_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('tracing_request_history');
  await knex.schema.dropTable('tracing_requests');
};
