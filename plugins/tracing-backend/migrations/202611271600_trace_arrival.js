// @ts-check

/**
 * What the last "traces arriving" check found for an active request
 * (TraceArrival as JSON): written by the scheduled check only, so it never
 * races a state change.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('tracing_requests', table => {
    table.text('traces').nullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('tracing_requests', table => {
    table.dropColumn('traces');
  });
};
