// @ts-check

/**
 * `expires_at` as fixed-width UTC (toISOString), so that it compares as an
 * instant on SQLite and PostgreSQL. Rows filed before the API normalised it
 * may carry an offset (`2026-11-27T13:10:25+05:00`), which compared as text
 * moved their expiry by the offset.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  const rows = await knex('tracing_requests')
    .select('id', 'expires_at')
    .whereNot('expires_at', 'like', '%Z');
  for (const row of rows) {
    const at = new Date(row.expires_at);
    if (Number.isNaN(at.getTime())) continue;
    await knex('tracing_requests')
      .where({ id: row.id })
      .update({ expires_at: at.toISOString() });
  }
};

/**
 * The instants stay as they are: the offsets they were typed with are not
 * kept, and UTC is a valid value for the earlier schema too.
 *
 * @param {import('knex').Knex} _knex
 */
exports.down = async function down(_knex) {};
