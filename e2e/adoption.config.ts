import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions, sharedSettings } from './playwrightShared';

/**
 * The entity tab in a fresh create-app app that followed the install guide
 * (scripts/adoption-check.sh starts its backend; no web server here).
 */
export default defineConfig({
  testDir: './adoption',
  ...sharedSettings,
  reporter: [['list']],
  outputDir: 'test-results/adoption',
  use: {
    baseURL: process.env.TRACEGATE_ADOPTION_URL ?? 'http://localhost:7317',
    screenshot: 'only-on-failure',
    launchOptions: chromiumLaunchOptions,
  },
});
