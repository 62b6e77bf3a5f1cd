import { expect, Page, test } from '@playwright/test';
import {
  asBob,
  expectAccessible,
  expectTracesListed,
  requester,
  SHOTS,
} from './helpers';

/*
 * Workloads Beyla does not name after their Deployment: cart is installed by
 * a Helm chart (its pods carry app.kubernetes.io/instance: shop-cart), ingest
 * sets OTEL_SERVICE_NAME. The demo's stand-in for Beyla sends spans with the
 * names Beyla's own code gives those pods (test/beyla-oracle); Tracegate
 * finds them by Kubernetes identity. Each test files a day at 10 % (the e2e
 * config's rule approves it), and revokes it at the end.
 */

async function traceOneDay(page: Page, tab: string, target: string) {
  await page.goto(tab);
  await page.getByRole('button', { name: 'Request tracing' }).click();
  await expect(page.getByText(target)).toBeVisible();
  await page.getByLabel('Duration in days').fill('1');
  await page.getByLabel('Reason').fill('where are my traces');
  await page.getByRole('button', { name: 'Preview' }).click();
  await expect(page.getByText('Preview: what approval applies')).toBeVisible();
}

async function submitAndWaitActive(page: Page, tab: string) {
  await page.getByRole('button', { name: 'Submit request' }).click();
  await page.goto(tab);
  await expect(page.getByText('active', { exact: true })).toBeVisible({
    timeout: 60_000,
  });
}

async function revoke(page: Page) {
  await page.getByRole('button', { name: 'Revoke' }).click();
  await expect(page.getByText('revoked', { exact: true })).toBeVisible();
}

test("a Helm release's traces carry its release name, and are found by its Kubernetes identity", async ({
  browser,
}) => {
  const tab = '/catalog/default/component/cart/tracing';
  const page = await requester(browser);
  await traceOneDay(page, tab, 'Deployment shop/cart');
  await expect(page.getByLabel("Beyla's name for it")).toContainText(
    'Beyla will name it `shop-cart` (label app.kubernetes.io/instance)',
  );
  await submitAndWaitActive(page, tab);
  await expect(page.getByLabel("Beyla's name for it")).toContainText(
    'Beyla will name it `shop-cart`',
  );
  await expectTracesListed(page, 'shop-cart');
  await expect(page.getByLabel('How traces are found')).toHaveText(
    'Found by k8s.namespace.name=shop, k8s.deployment.name=cart, asking Jaeger for service shop-cart',
  );
  // Grafana's link asks Tempo for the same identity, not a service name.
  const grafana = await page
    .getByRole('link', { name: 'Open traces in Grafana' })
    .getAttribute('href');
  const panes = JSON.parse(new URL(grafana!).searchParams.get('panes')!);
  expect(panes.tracegate.queries[0].query).toBe(
    '{ resource.k8s.namespace.name = "shop" && resource.k8s.deployment.name = "cart" }',
  );
  await expectAccessible(page);
  await page.screenshot({
    path: `${SHOTS}/entity-tab-helm-release.png`,
    fullPage: true,
  });
  await revoke(page);
});

test('a workload that sets OTEL_SERVICE_NAME carries that name', async ({
  browser,
}) => {
  const tab = '/catalog/default/component/ingest/tracing';
  const page = await asBob(browser);
  await traceOneDay(page, tab, 'Deployment data/ingest');
  await expect(page.getByLabel("Beyla's name for it")).toContainText(
    'Beyla will name it `event-ingest` (OTEL_SERVICE_NAME of container ingest)',
  );
  await submitAndWaitActive(page, tab);
  await expectTracesListed(page, 'event-ingest');
  await expect(page.getByLabel('How traces are found')).toHaveText(
    'Found by k8s.namespace.name=data, k8s.deployment.name=ingest, asking Jaeger for service event-ingest',
  );
  await revoke(page);
});
