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
  // A click before the picker has loaded its counts is lost: click until
  // the table says it lists all of them.
  await expect(async () => {
    await page.getByRole('menuitem', { name: /^All/ }).click();
    await expect(page.getByText(/^All Components \(\d+\)$/)).toBeVisible({
      timeout: 2_000,
    });
  }).toPass({ timeout: 30_000 });
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
