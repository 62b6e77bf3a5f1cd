// @ts-check

/**
 * One row per cluster: the revision of its live set, bumped in the same
 * transaction as every request entering or leaving the live states, and the
 * lease a reconcile pass holds while it plans and writes (so that passes of
 * several backend replicas never overlap, and a pass that started from an
 * older revision loops until it has applied the newest).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('tracing_clusters', table => {
    table.string('cluster', 255).primary();
    table.bigInteger('revision').notNullable().defaultTo(0);
    table.string('lease_holder', 255).nullable();
    table
      .bigInteger('lease_expires_at')
      .nullable()
      .comment('epoch milliseconds');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('tracing_clusters');
};
