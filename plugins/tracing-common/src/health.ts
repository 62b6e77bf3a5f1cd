/**
 * Body of `GET /api/tracing/health`.
 *
 * @public
 */
export type TracingHealth = {
  status: 'ok';
};
