import { expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { admin, expectAccessible, requester } from './helpers';

// Runs with e2e/app-config.gitops.e2e.yaml: cluster `local` is changed
// through the local git server, and the local cluster's stand-in for a
// GitOps tool (test/kube/src/gitopsStandIn.ts) applies the folder.

const repository = process.env.TRACEGATE_LOCAL_GIT_URL!;
const auth = `Authorization: Basic ${Buffer.from(
  `tracegate:${process.env.TRACEGATE_LOCAL_GIT_TOKEN}`,
).toString('base64')}`;

/** git against the local git server, with its credentials. */
function git(...args: string[]): string {
  return execFileSync('git', ['-c', `http.extraHeader=${auth}`, ...args], {
    encoding: 'utf8',
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
  });
}

/** The commit at the head of main. */
function headSha(): string {
  return git('ls-remote', repository, 'refs/heads/main').split(/\s/)[0];
}

/** A commit's message (one clone of the repository). */
function messageOf(sha: string): string {
  const dir = execFileSync('mktemp', ['-d'], { encoding: 'utf8' }).trim();
  git('clone', '--quiet', repository, dir);
  const message = git('-C', dir, 'log', '-1', '--format=%B', sha);
  execFileSync('rm', ['-rf', dir]);
  return message;
}

test('through git: the preview shows the files, approval commits them, the GitOps tool applies them, and the request turns active', async ({
  browser,
}) => {
  // start_local_cluster sets it; without it this fails, never skips.
  expect(repository, 'TRACEGATE_LOCAL_GIT_URL').toBeTruthy();
  const before = headSha();
  const page = await requester(browser);
  await page.goto('/catalog/default/component/checkout/tracing');
  await page.getByRole('button', { name: 'Request tracing' }).click();
  await expect(page.getByText('Deployment shop/checkout')).toBeVisible();
  await page.getByLabel('Reason').fill('a week of traces, through git');
  await page.getByRole('button', { name: 'Preview' }).click();
  await expect(
    page.getByText(
      /Cluster local is changed through git: approval commits these files to http:\/\/127\.0\.0\.1:\d+\/platform-config\.git \(branch main, folder clusters\/local\/tracegate\)/,
    ),
  ).toBeVisible();
  await expect(
    page
      .getByText(
        /\+\+\+ b\/clusters\/local\/tracegate\/daemonset-beyla-beyla\.yaml/,
      )
      .first(),
  ).toBeVisible();
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Submit request' }).click();
  await expect(page.getByText('Tracing requested')).toBeVisible();

  const ada = await admin(browser);
  await ada.goto('/tracing');
  await ada.getByRole('button', { name: 'Approval queue' }).click();
  const row = ada.getByRole('row', { name: /checkout/ });
  await row.getByText('checkout', { exact: true }).click();
  // The admin reviews the same file diff.
  await expect(ada.getByLabel('diff')).toContainText(
    'b/clusters/local/tracegate/daemonset-beyla-beyla.yaml',
  );
  await ada.getByRole('button', { name: 'Approve', exact: true }).click();
  await ada
    .getByRole('dialog')
    .getByRole('button', { name: 'Approve' })
    .click();
  await expect(ada.getByText('No requests in pending.')).toBeVisible();

  // The commit names the request and its approver.
  await expect.poll(headSha, { timeout: 30_000 }).not.toBe(before);
  const commit = { sha: headSha() };
  const message = messageOf(commit.sha);
  expect(message).toMatch(/^Tracegate local: turn on 1 request/);
  expect(message).toContain('Turn on ebpf tracing of Deployment shop/checkout');
  expect(message).toContain('approved by user:default/ada.');

  await page.goto('/catalog/default/component/checkout/tracing');
  await expect(page.getByText('active', { exact: true })).toBeVisible({
    timeout: 60_000,
  });
  await expect(
    page.getByText(`Git: committed ${commit.sha.slice(0, 7)}, on the cluster`),
  ).toBeVisible();

  // Revoke: a commit removes the files.
  await page.getByRole('button', { name: 'Revoke' }).click();
  await expect.poll(headSha, { timeout: 30_000 }).not.toBe(commit.sha);
  expect(messageOf(headSha())).toContain('Turn off request');
});
