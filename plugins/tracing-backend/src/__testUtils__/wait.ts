/**
 * Polls `check` until it returns something other than `undefined` or
 * `false`, and resolves to that; fails naming `what` after `timeoutMs`, with
 * `detail()` (what the last check saw) when given.
 */
export async function waitUntil<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  {
    timeoutMs = 30_000,
    intervalMs = 100,
    detail,
  }: { timeoutMs?: number; intervalMs?: number; detail?: () => string } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await check();
    if (result !== undefined && result !== false) return result;
    if (Date.now() > deadline) {
      const seen = detail ? `; last seen: ${detail()}` : '';
      throw new Error(
        `gave up after ${timeoutMs} ms waiting for ${what}${seen}`,
      );
    }
    await new Promise(resolve => setTimeout(resolve, intervalMs));
  }
}
