import { expect, Page, test } from '@playwright/test';
import { admin, asBob, requester, SHOTS } from './helpers';

/*
 * The demo template "Turn on tracing for a service" (catalog/templates), run
 * from /create in the scaffolder: its one step is Tracegate's tracing:request,
 * which files the request as the user who runs the template. The e2e config's
 * rule approves a day at 10 % or less; more waits for an admin.
 */

async function runTemplate(
  page: Page,
  options: { service: string; ratio?: string; days?: string; reason: string },
) {
  await page.goto('/create');
  await page
    .getByRole('article')
    .filter({ hasText: 'Turn on tracing for a service' })
    .getByRole('button', { name: 'Choose' })
    .click();
  await page.getByRole('textbox', { name: 'Service' }).click();
  await page
    .getByRole('option', { name: options.service, exact: true })
    .click();
  await page.getByRole('button', { name: 'Next' }).click();
  if (options.ratio) {
    await page.getByLabel('Sampling ratio').fill(options.ratio);
  }
  if (options.days) {
    await page.getByLabel('Duration in days').fill(options.days);
  }
  await page.getByLabel('Reason').fill(options.reason);
  await page.getByRole('button', { name: 'Review' }).click();
  await page.getByRole('button', { name: 'Create' }).click();
}

/** Follows the template's output link (the scaffolder opens it in a new tab). */
async function openTracingTab(page: Page) {
  const link = page.getByRole('link', { name: 'Tracing tab' });
  await expect(link).toHaveAttribute(
    'href',
    /\/catalog\/default\/component\/checkout\/tracing$/,
  );
  await page.goto((await link.getAttribute('href'))!);
}

test('a non-owner gets the permission refusal as the step error, and nothing is filed', async ({
  browser,
}) => {
  const page = await asBob(browser);
  await runTemplate(page, { service: 'checkout', reason: 'not my service' });
  await expect(
    page
      .getByText(/403 NotAllowedError: You may not create this tracing request/)
      .first(),
  ).toBeVisible();
  await page.screenshot({
    path: `${SHOTS}/scaffolder-refused.png`,
    fullPage: true,
  });

  const adminPage = await admin(browser);
  await adminPage.goto('/tracing/admin');
  await expect(adminPage.getByText('No requests in pending.')).toBeVisible();
});

test('the owner files one for the admins from the template; it waits in their queue', async ({
  browser,
}) => {
  const page = await requester(browser);
  const reason = 'filed from the software template';
  await runTemplate(page, {
    service: 'checkout',
    ratio: '0.25',
    days: '2',
    reason,
  });
  await expect(
    page.getByText('The request for Deployment shop/checkout is pending'),
  ).toBeVisible();
  // No expectAccessible here: the task page is the scaffolder's own (axe
  // finds its log rows and progress bar lacking), none of it Tracegate's.
  await page.screenshot({ path: `${SHOTS}/scaffolder-pending.png` });
  await openTracingTab(page);
  await expect(page.getByText('pending', { exact: true })).toBeVisible();

  const adminPage = await admin(browser);
  await adminPage.goto('/tracing/admin');
  const row = adminPage.getByRole('row', { name: /checkout/ });
  await expect(row).toBeVisible();
  await row.getByText('checkout', { exact: true }).click();
  await expect(adminPage.getByText(`Reason: ${reason}`)).toBeVisible();
  // Leave the cluster as it was: the admin rejects it.
  await adminPage.getByRole('button', { name: 'Reject', exact: true }).click();
  const dialog = adminPage.getByRole('dialog');
  await dialog.getByLabel('Comment (required)').fill('e2e: not today');
  await dialog.getByRole('button', { name: 'Reject' }).click();
  await expect(adminPage.getByText('No requests in pending.')).toBeVisible();
});

test('a day at 10 % is approved by the rule and turns active', async ({
  browser,
}) => {
  const page = await requester(browser);
  await runTemplate(page, {
    service: 'checkout',
    reason: 'a day of traces, from the template',
  });
  await expect(
    page.getByText(
      /The request for Deployment shop\/checkout is\s+(approved|active)/,
    ),
  ).toBeVisible();
  await openTracingTab(page);
  await expect(page.getByText('active', { exact: true })).toBeVisible({
    timeout: 60_000,
  });
  await page.getByRole('button', { name: 'Revoke' }).click();
  await expect(page.getByText('revoked', { exact: true })).toBeVisible();
});
