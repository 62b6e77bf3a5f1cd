import { expect, Page, test } from '@playwright/test';

async function signInAsGuest(page: Page) {
  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();
  await expect(
    page
      .getByRole('navigation', { name: 'sidebar nav' })
      .getByRole('link', { name: 'Catalog', exact: true }),
  ).toBeVisible();
}

test('the catalog lists the demo services', async ({ page }) => {
  await signInAsGuest(page);
  // The catalog is the landing page; show every owner's components.
  await page.getByRole('menuitem', { name: /^All/ }).click();
  for (const service of [
    'checkout',
    'cart',
    'forecast',
    'ingest',
    'prometheus-k8s',
  ]) {
    await expect(
      page.getByRole('link', { name: service, exact: true }),
    ).toBeVisible();
  }
});

test('the tracing page renders and reaches its backend', async ({ page }) => {
  await signInAsGuest(page);
  await page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'Tracing' })
    .click();
  await expect(page).toHaveURL(/\/tracing$/);
  await expect(page.getByText('Tracing backend: ok')).toBeVisible();
  await expect(page.getByText('My tracing requests')).toBeVisible();
});
