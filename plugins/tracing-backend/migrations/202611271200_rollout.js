// @ts-check

/**
 * The rollout that carries a request's config (Beyla's DaemonSet): how many
 * nodes run it, as JSON, so the queue and the tab show "rolling out n/m".
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('tracing_requests', table => {
    table
      .text('last_apply_rollout')
      .nullable()
      .comment('JSON: { desired, updated, ready, complete, message? }');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('tracing_requests', table => {
    table.dropColumn('last_apply_rollout');
  });
};
