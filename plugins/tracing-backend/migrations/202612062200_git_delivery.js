// @ts-check

/**
 * Git delivery: the commit that holds a request's objects, and whether the
 * cluster holds them yet (LastApply.commit, as JSON).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('tracing_requests', table => {
    table.text('last_apply_commit').nullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('tracing_requests', table => {
    table.dropColumn('last_apply_commit');
  });
};
