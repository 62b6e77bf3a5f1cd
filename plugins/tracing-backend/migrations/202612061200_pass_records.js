// @ts-check

/**
 * What the last reconcile pass found, so that status reads it instead of
 * reading the cluster: per cluster (Beyla's objects and nodes, errors not
 * tied to a request), and per request (its own objects: its Beyla entry, its
 * Prometheus CR).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('tracing_clusters', table => {
    table.text('state').nullable();
  });
  await knex.schema.alterTable('tracing_requests', table => {
    table.text('last_apply_objects').nullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('tracing_requests', table => {
    table.dropColumn('last_apply_objects');
  });
  await knex.schema.alterTable('tracing_clusters', table => {
    table.dropColumn('state');
  });
};
