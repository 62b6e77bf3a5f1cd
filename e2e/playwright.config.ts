import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions, sharedSettings } from './playwrightShared';

const baseURL = process.env.TRACEGATE_E2E_URL ?? 'http://localhost:7007';

/**
 * Runs against the backend on :7007 serving the built app (scripts/test.sh
 * builds it first). Chromium is Debian's: Playwright never downloads one here.
 */
export default defineConfig({
  testDir: './tests',
  ...sharedSettings,
  reporter: [
    ['list'],
    [
      'json',
      {
        outputFile:
          process.env.TRACEGATE_E2E_RESULTS ?? 'test-results/results.json',
      },
    ],
  ],
  outputDir: 'test-results/artifacts',
  webServer: {
    // TRACEGATE_E2E_EXTRA_CONFIG: a spec's own config (scripts/test.sh).
    command: `yarn workspace backend start --config ../../app-config.yaml --config ../../e2e/app-config.e2e.yaml${
      process.env.TRACEGATE_E2E_EXTRA_CONFIG
        ? ` --config ../../${process.env.TRACEGATE_E2E_EXTRA_CONFIG}`
        : ''
    }`,
    cwd: '..',
    url: `${baseURL}/.backstage/health/v1/readiness`,
    reuseExistingServer: !process.env.CI,
    timeout: 240_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
  use: {
    baseURL,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: chromiumLaunchOptions,
  },
});
