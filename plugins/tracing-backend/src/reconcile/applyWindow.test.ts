import { mockServices } from '@backstage/backend-test-utils';
import { Reconciler } from './Reconciler';

/** A reconciler whose passes are counted, not run. */
function counting(applyWindowMs?: number) {
  const reconciler = new Reconciler({
    store: {} as any,
    clusterStore: {} as any,
    clusters: {} as any,
    transitions: {} as any,
    logger: mockServices.logger.mock(),
    applyWindowMs,
  });
  const passes = jest
    .spyOn(reconciler, 'reconcile')
    .mockResolvedValue({} as any);
  return { reconciler, passes };
}

describe('the apply window', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('without one, every change starts a pass at once', () => {
    const { reconciler, passes } = counting();
    for (let i = 0; i < 5; i++) reconciler.reconcileSoon('local');
    expect(passes).toHaveBeenCalledTimes(5);
  });

  it('with one, a burst of changes shares one pass at its end, per cluster', () => {
    const { reconciler, passes } = counting(100);
    for (let i = 0; i < 5; i++) reconciler.reconcileSoon('local');
    reconciler.reconcileSoon('prod');
    jest.advanceTimersByTime(99);
    expect(passes).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(passes.mock.calls).toEqual([['local'], ['prod']]);
    // The next change opens a new window.
    reconciler.reconcileSoon('local');
    jest.advanceTimersByTime(99);
    expect(passes).toHaveBeenCalledTimes(2);
    jest.advanceTimersByTime(1);
    expect(passes).toHaveBeenCalledTimes(3);
    reconciler.stop();
  });

  it('stop cancels a window that has not ended', () => {
    const { reconciler, passes } = counting(50);
    reconciler.reconcileSoon('local');
    reconciler.stop();
    jest.advanceTimersByTime(1_000);
    expect(passes).not.toHaveBeenCalled();
  });
});
