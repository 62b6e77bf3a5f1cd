import { isUnreachableCode } from '../clusters/errors';

/**
 * PostgreSQL's own codes for "no connection": class 08 (connection
 * exception) and 57P01–57P03 (shut down, crashed, starting up).
 */
const POSTGRES_UNAVAILABLE = /^(08\d{3}|57P0[1-3])$/;

/** node-postgres's messages for a connection that went away. */
const NODE_POSTGRES_CONNECTION_LOST = [
  'Connection terminated unexpectedly',
  'Connection terminated due to connection timeout',
  'Connection ended unexpectedly',
  // The ROLLBACK after a lost connection, on the same client.
  'Client has encountered a connection error and is not queryable',
];

/**
 * Whether `error` means the database could not be reached or dropped the
 * connection (as opposed to a query it refused).
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const { code, name, message } = (error ?? {}) as {
    code?: unknown;
    name?: unknown;
    message?: unknown;
  };
  // The same socket errors as an API server that is not there, and a
  // connect that timed out (the cluster client has its own timeout error).
  if (isUnreachableCode(error) || code === 'ETIMEDOUT') return true;
  if (typeof code === 'string' && POSTGRES_UNAVAILABLE.test(code)) {
    return true;
  }
  // knex's pool gives up waiting for a connection.
  if (name === 'KnexTimeoutError') return true;
  // knex puts the statement in front: "select ... - Connection terminated
  // unexpectedly".
  return (
    typeof message === 'string' &&
    NODE_POSTGRES_CONNECTION_LOST.some(text => message.endsWith(text))
  );
}
