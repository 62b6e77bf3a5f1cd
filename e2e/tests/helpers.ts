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

/** Ada of platform-admins, through the development dev-users provider. */
export async function admin(browser: Browser): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto('/?as=ada');
  await expect(
    page.getByRole('link', { name: 'Catalog', exact: true }).first(),
  ).toBeVisible();
  return page;
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
