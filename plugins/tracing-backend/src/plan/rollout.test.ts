import { describeRollout } from '@tracegate/plugin-tracing-common';
import { KubeObject } from '../render/types';
import { daemonSetRollout, podProblems } from './rollout';

const daemonSet = (generation: number, status: object): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'beyla', namespace: 'beyla', generation } as any,
  status,
});

describe('daemonSetRollout', () => {
  it('is complete only when the latest spec runs and is available everywhere', () => {
    const done = {
      observedGeneration: 2,
      desiredNumberScheduled: 3,
      updatedNumberScheduled: 3,
      numberReady: 3,
      numberAvailable: 3,
    };
    expect(daemonSetRollout(daemonSet(2, done)).complete).toBe(true);
    // The controller has not seen the new template yet.
    expect(daemonSetRollout(daemonSet(3, done)).complete).toBe(false);
    const rolling = daemonSetRollout(
      daemonSet(2, {
        ...done,
        updatedNumberScheduled: 1,
        numberUnavailable: 1,
      }),
    );
    expect(rolling).toEqual({
      desired: 3,
      updated: 1,
      ready: 3,
      complete: false,
    });
    expect(describeRollout(rolling)).toBe('rolling out 1/3 nodes');
  });

  it('says so when no node runs Beyla', () => {
    const none = daemonSetRollout(
      daemonSet(1, { observedGeneration: 1, desiredNumberScheduled: 0 }),
    );
    expect(none.complete).toBe(false);
    expect(describeRollout(none)).toBe(
      'rolling out 0/0 nodes: no node runs Beyla: no node matches its node selector and tolerations',
    );
  });
});

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
