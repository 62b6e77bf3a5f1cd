import { describeTargetCheck } from './targetCheck';

describe('describeTargetCheck', () => {
  const at = '2026-11-27T00:00:00.000Z';
  it.each([
    [undefined, 'target not checked'],
    [
      { result: 'verified', owned: true, at },
      "target verified, the entity's own",
    ],
    [
      { result: 'verified', owned: false, anyTarget: true, at },
      "target verified, not the entity's own (filed by an admin)",
    ],
    [{ result: 'not-found', at }, 'target not found'],
    [{ result: 'not-verified', at }, 'target not verified'],
  ] as const)('describes %j as %p', (check, text) => {
    expect(describeTargetCheck(check)).toBe(text);
  });
});
