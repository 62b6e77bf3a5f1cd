import { expect, Page, test } from '@playwright/test';
import {
  admin,
  expectAccessible,
  expectTracesListed,
  requester,
  SHOTS,
} from './helpers';

const ENTITY_TAB = '/catalog/default/component/checkout/tracing';
test.describe.serial('a tracing request from filing to revoke', () => {
  test('the requester files a request from the entity tab and sees it pending', async ({
    browser,
  }) => {
    const page = await requester(browser);
    await page.goto(ENTITY_TAB);
    await expect(page.getByText('No tracing requests yet')).toBeVisible();
    await page.getByRole('button', { name: 'Request tracing' }).click();

    // The target comes from checkout's own workloads on the live cluster.
    await expect(page.getByText('Deployment shop/checkout')).toBeVisible();
    await expect(
      page.getByText(
        "This service's, found by backstage.io/kubernetes-id=checkout in namespace shop",
      ),
    ).toBeVisible();
    await expect(page.getByLabel('Namespace')).toHaveCount(0);
    await page.getByLabel('Reason').fill('checkout p99 latency since Monday');
    await page.getByLabel('Open ports (optional)').fill('99999');
    await page.getByRole('button', { name: 'Preview' }).click();
    await expect(page.getByText(/between 1 and 65535/)).toBeVisible();
    await page.getByLabel('Open ports (optional)').fill('8080');
    await page.getByRole('button', { name: 'Preview' }).click();
    await expect(
      page.getByText('Preview: what approval applies'),
    ).toBeVisible();
    await expect(page.getByLabel('diff')).toContainText(
      '"k8s_deployment_name":"checkout"',
    );
    await expectAccessible(page);
    await page.screenshot({
      path: `${SHOTS}/request-form.png`,
      fullPage: true,
    });

    await page.getByRole('button', { name: 'Submit request' }).click();
    await expect(page.getByText('Tracing requested')).toBeVisible();
    await page.goto(ENTITY_TAB);
    await expect(page.getByText('pending', { exact: true })).toBeVisible();
    await page.screenshot({
      path: `${SHOTS}/entity-tab-pending.png`,
      fullPage: true,
    });
  });

  test('a second request for the workload is refused, naming the first', async ({
    browser,
  }) => {
    const page = await requester(browser);
    await page.goto(ENTITY_TAB);
    await page.getByRole('button', { name: 'Request tracing' }).click();
    await expect(
      page.getByText(/already has a live request \(pending/),
    ).toBeVisible();
    await page.getByLabel('Reason').fill('a second one');
    await page.getByRole('button', { name: 'Preview' }).click();
    await expect(
      page.getByText(/already has a live request: [0-9a-f-]{36} \(pending\)/),
    ).toBeVisible();
    await page.screenshot({
      path: `${SHOTS}/request-form-second-refused.png`,
      fullPage: true,
    });
  });

  test('the requester cannot open the admin queue', async ({ browser }) => {
    const page = await requester(browser);
    await page.goto('/tracing');
    await expect(page.getByText('Tracing backend: ok')).toBeVisible();
    await expect(
      page.getByRole('button', { name: 'Approval queue' }),
    ).toHaveCount(0);
    await page.goto('/tracing/admin');
    await expect(
      page.getByText('Only platform admins review tracing requests'),
    ).toBeVisible();
  });

  test('the admin approves it with a comment', async ({ browser }) => {
    const page = await admin(browser);
    await page.goto('/tracing');
    await page.getByRole('button', { name: 'Approval queue' }).click();
    const row = page.getByRole('row', { name: /checkout/ });
    await expect(row).toBeVisible();
    await expect(row.getByText('own, verified', { exact: true })).toBeVisible();
    await expectAccessible(page);
    await row.getByText('checkout', { exact: true }).click();
    await expect(page.getByLabel('diff')).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/admin-queue.png`, fullPage: true });
    await page.getByRole('button', { name: 'Approve', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Comment (optional)').fill('ok for a week');
    await dialog.getByRole('button', { name: 'Approve' }).click();
    await expect(page.getByText('No requests in pending.')).toBeVisible();

    // Accepted by the API server is not running: the request stays approved
    // while Beyla starts with its entry on the node that runs checkout's pod
    // (a few seconds on the KWOK nodes), then turns active.
    await page.goto(ENTITY_TAB);
    await expect(
      page
        .getByText(/starting Beyla with its entry: 0\/1 node with its pods/)
        .first(),
    ).toBeVisible({ timeout: 15_000 });
    await page.screenshot({
      path: `${SHOTS}/entity-tab-rolling-out.png`,
      fullPage: true,
    });
    await expect(
      page.getByText('its entry runs on 1/1 node with its pods').first(),
    ).toBeVisible({
      timeout: 30_000,
    });
    await expect(page.getByText('active', { exact: true })).toBeVisible();
  });

  test("both were told through Backstage's notifications", async ({
    browser,
  }) => {
    const page = await requester(browser);
    await page.goto('/notifications');
    await expect(
      page.getByText('Tracing approved: Deployment shop/checkout on local'),
    ).toBeVisible();
    await expect(
      page.getByText('Tracing active: Deployment shop/checkout on local'),
    ).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/notifications-requester.png` });
    const adminPage = await admin(browser);
    await adminPage.goto('/notifications');
    await expect(
      adminPage.getByText(
        'Tracing request to review: Deployment shop/checkout on local',
      ),
    ).toBeVisible();
    // Its link opens the queue on that request's row.
    await adminPage
      .getByText('Tracing request to review: Deployment shop/checkout on local')
      .click();
    await expect(
      adminPage.getByRole('textbox', { name: 'Search' }),
    ).toHaveValue('local shop checkout');
    await expect(adminPage.getByText(/^Showing \d+$/)).toBeVisible();
  });

  test('the requester sees its traces arrive, listed in the tab', async ({
    browser,
  }) => {
    // The local cluster's demo traffic stands in for Beyla: it sends spans
    // to the local Jaeger for the workloads in Beyla's applied config; the
    // backend reads them back from Jaeger.
    const page = await requester(browser);
    await page.goto(ENTITY_TAB);
    await expectTracesListed(page, 'checkout');
    await expectAccessible(page);
    await page.screenshot({
      path: `${SHOTS}/entity-tab-traces.png`,
      fullPage: true,
    });
  });

  test('the requester extends it; approving the extension replaces it', async ({
    browser,
  }) => {
    const page = await requester(browser);
    await page.goto(ENTITY_TAB);
    await page.getByRole('button', { name: 'Extend' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Days from now').fill('14');
    await dialog.getByRole('button', { name: 'Extend' }).click();
    await expect(
      page.getByText(/replaces request [0-9a-f-]{36} once approved/),
    ).toBeVisible();
    await expect(page.getByText('pending', { exact: true })).toBeVisible();

    const adminPage = await admin(browser);
    await adminPage.goto('/tracing/admin');
    const row = adminPage.getByRole('row', { name: /checkout/ });
    await row.getByText('checkout', { exact: true }).click();
    await expect(
      adminPage.getByText(/Replaces request [0-9a-f-]{36}: approving ends it/),
    ).toBeVisible();
    await adminPage
      .getByRole('button', { name: 'Approve', exact: true })
      .click();
    await adminPage
      .getByRole('dialog')
      .getByRole('button', { name: 'Approve' })
      .click();
    await expect(adminPage.getByText('No requests in pending.')).toBeVisible();

    await page.goto(ENTITY_TAB);
    await expect(page.getByText('revoked', { exact: true })).toBeVisible();
    await expect(
      page.getByText(/active → revoked by user:default\/ada/),
    ).toBeVisible();
    await expect(
      page.getByText(/replaced by request [0-9a-f-]{36}/),
    ).toBeVisible();
  });

  test('the requester sees the extension active, then revokes it', async ({
    browser,
  }) => {
    const page = await requester(browser);
    await page.goto(ENTITY_TAB);
    await expect(page.getByText('active', { exact: true })).toBeVisible({
      timeout: 30_000,
    });
    await expect(
      page.getByText(/^ConfigMap beyla\/beyla-config-[0-9a-f]{12}: present$/),
    ).toBeVisible();
    await expect(
      page.getByText('Beyla discovery entry shop/Deployment/checkout: present'),
    ).toBeVisible();
    // The tab says what `active` was checked against, and what not.
    await expect(
      page.getByText(/^Checked: Beyla's pods run this config/),
    ).toBeVisible();
    await expect(
      page.getByText(/pending → approved by user:default\/ada/).first(),
    ).toBeVisible();
    await expectAccessible(page);
    await page.screenshot({
      path: `${SHOTS}/entity-tab-active.png`,
      fullPage: true,
    });
    await page.getByRole('button', { name: 'Revoke' }).click();
    await expect(page.getByText('revoked', { exact: true })).toHaveCount(2);
    await expect(page.getByRole('button', { name: 'Revoke' })).toHaveCount(0);
  });
});

test('a reason and a comment that look like HTML are shown as text, never run', async ({
  browser,
}) => {
  const reason = '<img src=x onerror=alert(1)>';
  const comment = '<script>alert(2)</script><b>bold</b>';
  const dialogs: string[] = [];
  const watch = (page: Page) => {
    page.on('dialog', dialog => {
      dialogs.push(dialog.message());
      dialog.dismiss().catch(() => {});
    });
    return page;
  };
  const cartTab = '/catalog/default/component/cart/tracing';

  const page = watch(await requester(browser));
  await page.goto(cartTab);
  await page.getByRole('button', { name: 'Request tracing' }).click();
  await expect(page.getByText('Deployment shop/cart')).toBeVisible();
  await page.getByLabel('Reason').fill(reason);
  await page.getByRole('button', { name: 'Preview' }).click();
  await expect(page.getByText('Preview: what approval applies')).toBeVisible();
  await page.getByRole('button', { name: 'Submit request' }).click();
  await expect(page.getByText('Tracing requested')).toBeVisible();
  await page.goto(cartTab);
  await expect(page.getByText(reason, { exact: false })).toBeVisible();
  await expect(page.locator('img[src="x"]')).toHaveCount(0);

  const adminPage = watch(await admin(browser));
  await adminPage.goto('/tracing/admin');
  await adminPage
    .getByRole('row', { name: /cart/ })
    .getByText('cart', { exact: true })
    .click();
  await expect(adminPage.getByText(`Reason: ${reason}`)).toBeVisible();
  await expect(adminPage.locator('img[src="x"]')).toHaveCount(0);
  await adminPage.getByRole('button', { name: 'Reject', exact: true }).click();
  const dialog = adminPage.getByRole('dialog');
  await dialog.getByLabel('Comment (required)').fill(comment);
  await dialog.getByRole('button', { name: 'Reject' }).click();
  await expect(adminPage.getByText('No requests in pending.')).toBeVisible();

  await page.goto(cartTab);
  await expect(page.getByText('rejected', { exact: true })).toBeVisible();
  await expect(page.getByText(comment, { exact: false })).toBeVisible();
  await expect(page.locator('b', { hasText: 'bold' })).toHaveCount(0);
  await page.screenshot({ path: `${SHOTS}/entity-tab-html-as-text.png` });
  expect(dialogs).toEqual([]);
});
