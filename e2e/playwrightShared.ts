/** What both Playwright configs share: one worker, no retries, fixed timeouts. */
export const sharedSettings = {
  timeout: 90_000,
  expect: { timeout: 30_000 },
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 1,
};

/**
 * Debian's Chromium, headless and quiet: Playwright never downloads a browser
 * here, and the browser asks nothing of the network by itself.
 */
export const chromiumLaunchOptions = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};
