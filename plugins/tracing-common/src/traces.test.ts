import { describeTraceArrival, relativeTime } from './traces';

const NOW = Date.parse('2026-11-27T12:00:00Z');
const before = (ms: number) => new Date(NOW - ms).toISOString();

describe('describeTraceArrival', () => {
  it('says when traces were last seen and how many in 15 minutes', () => {
    expect(
      describeTraceArrival(
        {
          checkedAt: before(2_000),
          lastSeenAt: before(12_000),
          countLast15m: 34,
        },
        NOW,
      ),
    ).toBe('traces seen 12 s ago (34 in the last 15 min)');
    expect(
      describeTraceArrival(
        {
          checkedAt: before(0),
          lastSeenAt: before(0),
          countLast15m: 100,
          countCapped: true,
        },
        NOW,
      ),
    ).toBe('traces seen 0 s ago (100+ in the last 15 min)');
  });

  it('says none yet, not checked, or that the store did not answer', () => {
    expect(describeTraceArrival(undefined, NOW)).toBe('traces not checked yet');
    expect(
      describeTraceArrival({ checkedAt: before(0), countLast15m: 0 }, NOW),
    ).toBe('no traces yet');
    expect(
      describeTraceArrival(
        { checkedAt: before(120_000), countLast15m: 0, error: 'refused' },
        NOW,
      ),
    ).toBe(
      'no traces yet; the trace store could not be asked 2 min ago: refused',
    );
  });

  it('counts in seconds, minutes, hours and days', () => {
    expect(
      [59_000, 61_000, 3 * 3_600_000, 2 * 86_400_000].map(ms =>
        relativeTime(before(ms), NOW),
      ),
    ).toEqual(['59 s ago', '1 min ago', '3 h ago', '2 d ago']);
  });

  it('says the same of the future, and a time just ahead is now', () => {
    expect(
      [-3 * 86_400_000, -5 * 60_000, -400].map(ms =>
        relativeTime(before(ms), NOW),
      ),
    ).toEqual(['in 3 d', 'in 5 min', '0 s ago']);
  });
});
