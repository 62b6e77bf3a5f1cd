import AxeBuilder from '@axe-core/playwright';
import { Browser, expect, Page } from '@playwright/test';

export const SHOTS = 'test-results/screenshots';

/** The requester: the guest, a member of team-shop, which owns checkout. */
export async function requester(browser: Browser): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();
  await expect(
    page.getByRole('link', { name: 'Catalog', exact: true }).first(),
  ).toBeVisible();
  return page;
}

/** A demo user of catalog/org.yaml, through the development dev-users provider. */
async function signedInAs(browser: Browser, user: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`/?as=${user}`);
  await expect(
    page.getByRole('link', { name: 'Catalog', exact: true }).first(),
  ).toBeVisible();
  return page;
}

/** Bob of team-data: owns forecast and ingest, not checkout. */
export const asBob = (browser: Browser) => signedInAs(browser, 'bob');

/** Ada of platform-admins, an approver. */
export const admin = (browser: Browser) => signedInAs(browser, 'ada');

/**
 * The entity tab on `page` lists traces whose root is `rootService`, and the
 * scheduled check (every 5 s in the e2e config) has recorded their arrival.
 */
export async function expectTracesListed(page: Page, rootService: string) {
  const traces = page.getByRole('table', { name: 'Recent traces' });
  await expect(async () => {
    await page.reload();
    await expect(traces.getByRole('row').nth(1)).toBeVisible({
      timeout: 3_000,
    });
  }).toPass({ timeout: 90_000 });
  await expect(
    traces.getByText(new RegExp(`^${rootService}: (GET|POST) `)).first(),
  ).toBeVisible();
  await expect(async () => {
    await page.reload();
    await expect(
      page.getByText(
        /^traces seen \d+ (s|min) ago \(\d+\+? in the last 15 min\)/,
      ),
    ).toBeVisible({ timeout: 3_000 });
  }).toPass({ timeout: 90_000 });
}

/** No serious or critical accessibility violations on the page. */
export async function expectAccessible(page: Page) {
  const { violations } = await new AxeBuilder({ page })
    .exclude('nav[aria-label="sidebar nav"]') // Backstage's own sidebar
    .analyze();
  const serious = violations.filter(
    v => v.impact === 'serious' || v.impact === 'critical',
  );
  expect(
    serious.map(
      v =>
        `${v.id}: ${v.help} (${v.nodes
          .map(n => n.html.slice(0, 160))
          .join(', ')})`,
    ),
  ).toEqual([]);
}
