import { TRACING_REQUEST_STATUSES } from './domain';
import {
  canTransition,
  FINAL_TRACING_REQUEST_STATUSES,
  TRACING_REQUEST_TRANSITIONS,
  TracingRequestAction,
} from './stateMachine';

const actions = Object.keys(
  TRACING_REQUEST_TRANSITIONS,
) as TracingRequestAction[];

describe('the tracing request state machine', () => {
  it.each([
    ['pending', 'approve', true],
    ['pending', 'reject', true],
    ['pending', 'cancel', true],
    ['pending', 'revoke', false],
    ['approved', 'activate', true],
    ['approved', 'cancel', false],
    ['active', 'fail', true],
    ['failed', 'activate', true],
    ['failed', 'revoke', true],
    ['active', 'expire', true],
    ['active', 'approve', false],
    ['rejected', 'approve', false],
  ] as const)('%s --%s--> allowed: %s', (status, action, allowed) => {
    expect(canTransition(status, action)).toBe(allowed);
  });

  it('never leaves a final state', () => {
    for (const status of FINAL_TRACING_REQUEST_STATUSES) {
      for (const action of actions) {
        expect(canTransition(status, action)).toBe(false);
      }
    }
  });

  it('only names known states', () => {
    for (const { from, to } of Object.values(TRACING_REQUEST_TRANSITIONS)) {
      for (const status of [...from, to]) {
        expect(TRACING_REQUEST_STATUSES).toContain(status);
      }
    }
  });
});
