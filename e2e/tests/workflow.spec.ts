import { expect, Page, test } from '@playwright/test';
import { admin, expectAccessible, requester, SHOTS } from './helpers';

// Each test leaves the workloads it traced free again (revoked or
// cancelled): the specs pass alone and in any order.

test('a request a rule covers goes straight to active', async ({ browser }) => {
  const page = await requester(browser);
  await page.goto('/catalog/default/component/cart/tracing');
  await page.getByRole('button', { name: 'Request tracing' }).click();
  await expect(page.getByText('Deployment shop/cart')).toBeVisible();
  await page.getByLabel('Duration in days').fill('1');
  await page.getByLabel('Reason').fill('a day of traces for the cart');
  await page.getByRole('button', { name: 'Preview' }).click();
  await expect(
    page.getByText(
      /Will be approved automatically by rule e2e-day-passes \(tracing.autoApprove\)/,
    ),
  ).toBeVisible();
  await page.getByRole('button', { name: 'Submit request' }).click();
  await page.goto('/catalog/default/component/cart/tracing');
  // The newest request's card comes first.
  await expect(
    page.getByText(/pending → approved by tracegate:policy/).first(),
  ).toBeVisible();
  await expect(page.getByText('active', { exact: true })).toBeVisible({
    timeout: 30_000,
  });
  await expect(
    page.getByText(/approved automatically by rule e2e-day-passes/).first(),
  ).toBeVisible();
  await page.getByRole('button', { name: 'Revoke' }).click();
  await expect(page.getByRole('button', { name: 'Revoke' })).toHaveCount(0);
});

test('the requester cancels a pending request, after confirming', async ({
  browser,
}) => {
  const page = await requester(browser);
  await page.goto('/catalog/default/component/checkout/tracing');
  await page.getByRole('button', { name: 'Request tracing' }).click();
  await expect(page.getByText('Deployment shop/checkout')).toBeVisible();
  await page.getByLabel('Reason').fill('to be cancelled');
  await page.getByRole('button', { name: 'Preview' }).click();
  await page.getByRole('button', { name: 'Submit request' }).click();
  await expect(page.getByText('Tracing requested')).toBeVisible();
  await page.goto('/catalog/default/component/checkout/tracing');
  await expect(page.getByText('pending', { exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Cancel request' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByText('Cancel this request?')).toBeVisible();
  await expectAccessible(page);
  await dialog.getByRole('button', { name: 'Cancel request' }).click();
  await expect(
    page.getByText('cancelled', { exact: true }).first(),
  ).toBeVisible();
  await expect(
    page.getByText(/pending → cancelled by user:default\/guest/).first(),
  ).toBeVisible();
});

/**
 * Words the browser broke across lines inside table cells: a word whose
 * text range has client rectangles on more than one line.
 */
async function brokenWords(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const broken: string[] = [];
    const cells = document.querySelectorAll('table td, table th');
    for (const cell of Array.from(cells)) {
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent ?? '';
        const words = text.matchAll(/\S+/g);
        for (const word of words) {
          const range = document.createRange();
          range.setStart(node, word.index!);
          range.setEnd(node, word.index! + word[0].length);
          const tops = new Set(
            Array.from(range.getClientRects())
              .filter(r => r.width > 0)
              .map(r => Math.round(r.top)),
          );
          if (tops.size > 1) broken.push(word[0]);
        }
      }
    }
    return broken;
  });
}

test('the queue pages past 100 requests and reads well at 1280 and 1920 px', async ({
  browser,
}) => {
  // 150 requests on `lab`, a cluster that is down: they can be filed (their
  // targets cannot be checked) and stay pending.
  const requesterPage = await requester(browser);
  const refresh = await requesterPage.request.get('/api/auth/guest/refresh', {
    headers: { 'X-Requested-With': 'XMLHttpRequest' },
  });
  const token = (await refresh.json()).backstageIdentity.token;
  for (let i = 0; i < 150; i++) {
    const res = await requesterPage.request.post('/api/tracing/requests', {
      headers: { Authorization: `Bearer ${token}` },
      data: {
        entityRef: 'component:default/cart',
        cluster: 'lab',
        namespace: 'shop',
        workload: { kind: 'Deployment', name: `cart-shard-${i}` },
        method: 'ebpf',
        sampling: { sampler: 'parentbased_traceidratio', ratio: 0.25 },
        expiresAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
        reason: `load test shard ${i} of the cart service`,
      },
    });
    expect(res.status()).toBe(201);
  }

  const page = await admin(browser);
  for (const [width, height] of [
    [1280, 900],
    [1920, 1080],
  ] as const) {
    await page.setViewportSize({ width, height });
    await page.goto('/tracing/admin');
    await expect(
      page.getByText('Showing 100; more on the server'),
    ).toBeVisible();
    await page.getByRole('button', { name: 'Load more' }).click();
    await expect(page.getByText(/^Showing 15\d$/)).toBeVisible();
    await expect(
      page.getByText('shop/cart-shard-0', { exact: true }),
    ).toBeVisible();
    expect(await brokenWords(page)).toEqual([]);
    // Every column fits: nothing hides behind a horizontal scroll bar.
    const overflow = await page
      .getByRole('table')
      .first()
      .evaluate(table => {
        const box = table.parentElement!;
        return box.scrollWidth - box.clientWidth;
      });
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({
      path: `${SHOTS}/admin-queue-${width}.png`,
      fullPage: false,
    });
  }

  // The search runs on the server, across pages.
  await page.getByRole('textbox', { name: 'Search' }).fill('shard 149');
  await expect(page.getByText(/^Showing 1$/)).toBeVisible();
  await expect(
    page.getByText('shop/cart-shard-149', { exact: true }),
  ).toBeVisible();
});
