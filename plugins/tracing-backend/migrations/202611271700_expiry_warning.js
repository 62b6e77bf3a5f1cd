// @ts-check

/**
 * When the requester was told that a live request expires within a day:
 * claimed before the notification is sent, so it is sent once, whichever
 * replica runs the expiry task.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('tracing_requests', table => {
    table.string('expiry_warned_at', 32).nullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('tracing_requests', table => {
    table.dropColumn('expiry_warned_at');
  });
};
