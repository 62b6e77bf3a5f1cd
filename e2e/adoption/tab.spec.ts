import { expect, test } from '@playwright/test';

/*
 * In the adopter's app: the template's example-website (a `website` Component
 * with backstage.io/kubernetes-id) has the Tracing tab, and the page is there.
 */
test('a website Component with the Kubernetes annotation has the Tracing tab', async ({
  page,
}) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();
  await expect(
    page.getByRole('link', { name: 'Catalog' }).first(),
  ).toBeVisible();
  await page.goto('/catalog/default/component/example-website');
  // The entity page's tab (a link; the sidebar's Tracing goes to /tracing).
  await page.locator('a[href$="/component/example-website/tracing"]').click();
  await expect(page).toHaveURL(/\/component\/example-website\/tracing$/);
  await expect(page.getByText('No tracing requests yet')).toBeVisible();
  await page.goto('/tracing');
  await expect(
    page.getByRole('heading', { name: 'Tracing' }).first(),
  ).toBeVisible();
});
