import { TracingRequest, TracingRequestStatus } from './domain';

/**
 * The actions that move a tracing request between states: one row per action,
 * the states it may start from and the state it ends in. Backend and UI both
 * read this table; anything not in it is a `409 Conflict`.
 *
 * @public
 */
export const TRACING_REQUEST_TRANSITIONS = {
  approve: { from: ['pending'], to: 'approved' },
  reject: { from: ['pending'], to: 'rejected' },
  cancel: { from: ['pending'], to: 'cancelled' },
  activate: { from: ['approved', 'failed'], to: 'active' },
  fail: { from: ['approved', 'active'], to: 'failed' },
  revoke: { from: ['approved', 'active', 'failed'], to: 'revoked' },
  expire: { from: ['approved', 'active', 'failed'], to: 'expired' },
} as const satisfies Record<
  string,
  { from: readonly TracingRequestStatus[]; to: TracingRequestStatus }
>;

/** @public */
export type TracingRequestAction = keyof typeof TRACING_REQUEST_TRANSITIONS;

/**
 * Whether `action` may be taken on a request in `status`.
 *
 * @public
 */
export function canTransition(
  status: TracingRequestStatus,
  action: TracingRequestAction,
): boolean {
  return (
    TRACING_REQUEST_TRANSITIONS[action].from as readonly TracingRequestStatus[]
  ).includes(status);
}

/**
 * States in which a request's configuration is (to be) applied to its cluster.
 *
 * @public
 */
export const LIVE_TRACING_REQUEST_STATUSES: readonly TracingRequestStatus[] = [
  'approved',
  'active',
  'failed',
];

/**
 * States a request never leaves.
 *
 * @public
 */
export const FINAL_TRACING_REQUEST_STATUSES: readonly TracingRequestStatus[] = [
  'rejected',
  'cancelled',
  'revoked',
  'expired',
];

/**
 * States in which a request can hold its target (one request per target):
 * pending or live. Every other state is final and lets the target go.
 *
 * @public
 */
export const TARGET_HOLDING_STATUSES: readonly TracingRequestStatus[] = [
  'pending',
  ...LIVE_TRACING_REQUEST_STATUSES,
];

/**
 * Whether the request holds its target: pending or live, and not a pending
 * replacement (which takes the target over only when approved).
 *
 * @public
 */
export function holdsTarget(
  request: Pick<TracingRequest, 'status' | 'supersedes'>,
): boolean {
  return (
    TARGET_HOLDING_STATUSES.includes(request.status) &&
    !(request.status === 'pending' && request.supersedes)
  );
}
