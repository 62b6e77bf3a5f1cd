import { KubeObject } from '../render/types';
import { podProblems } from './podProblems';

describe('podProblems', () => {
  const pod = (status: object): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p' },
    status,
  });

  it("gives the pods' own reasons, most frequent first", () => {
    const crashing = pod({
      containerStatuses: [
        {
          ready: false,
          state: { waiting: { reason: 'CrashLoopBackOff' } },
          lastState: {
            terminated: { reason: 'Error', exitCode: 1, message: 'bad config' },
          },
        },
      ],
    });
    const pulling = pod({
      containerStatuses: [
        {
          ready: false,
          state: {
            waiting: { reason: 'ImagePullBackOff', message: 'not found' },
          },
        },
      ],
    });
    const unscheduled = pod({
      conditions: [
        {
          type: 'PodScheduled',
          status: 'False',
          message: '0/3 nodes are available',
        },
      ],
    });
    const running = pod({ containerStatuses: [{ ready: true }] });
    expect(
      podProblems([crashing, pulling, crashing, unscheduled, running]),
    ).toBe(
      '2 pods: CrashLoopBackOff, last Error (exit 1): bad config; 1 pod: ImagePullBackOff: not found; 1 pod: not scheduled: 0/3 nodes are available',
    );
    expect(podProblems([running])).toBeUndefined();
  });
});
