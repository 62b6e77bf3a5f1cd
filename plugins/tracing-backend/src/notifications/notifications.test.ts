import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { mockCredentials } from '@backstage/backend-test-utils';
import notificationsPlugin from '@backstage/plugin-notifications-backend';
import request from 'supertest';
import {
  startTracingBackend,
  TracingTestBackend,
} from '../__testUtils__/backend';
import {
  CATALOG,
  ORG,
  requestInput,
  TestUser,
  unreachableCluster,
  userRef,
} from '../__testUtils__/fixtures';
import { localClusterConfig, useSeededCluster } from '../__testUtils__/kube';
import { afterAnotherRun } from '../__testUtils__/scheduler';
import { waitUntil } from '../__testUtils__/wait';

/**
 * Notifications through Backstage's own notifications backend, running in
 * the same test backend and read back through its API: who hears of what,
 * and that each is sent once. The scheduler is the real one, so the expiry
 * task runs (every second here).
 */

jest.setTimeout(180_000);

const HOUR = 3_600_000;

type Notice = {
  payload: {
    title: string;
    description?: string;
    link?: string;
    topic?: string;
  };
};

const kube = useSeededCluster();

describe('notifications', () => {
  let backend: TracingTestBackend;

  beforeAll(async () => {
    backend = await startTracingBackend({
      config: { app: { baseUrl: 'http://localhost:3000' } },
      entities: [...CATALOG, ...ORG],
      features: [notificationsPlugin, schedulerServiceFactory],
      tracing: {
        expiryFrequency: { seconds: 1 },
        clusters: [
          localClusterConfig(kube.cluster, { token: kube.token }),
          unreachableCluster('down'),
        ],
      },
    });
  });

  async function inbox(user: TestUser): Promise<Notice[]> {
    const res = await request(backend.server)
      .get('/api/notifications/notifications?limit=100')
      .set('Authorization', mockCredentials.user.header(userRef(user)));
    expect(res.status).toBe(200);
    return res.body.notifications;
  }

  const titles = async (user: TestUser) =>
    (await inbox(user)).map(n => n.payload.title).sort();

  async function file(change: Parameters<typeof requestInput>[0]) {
    const res = await backend.post('/requests', requestInput(change), 'alice');
    expect(res.status).toBe(201);
    return res.body;
  }

  it('tells admins of a new request, and the requester of approval, activation and rejection, once each', async () => {
    const checkout = await file({});
    const cart = await file({
      entityRef: 'component:default/cart',
      workload: { kind: 'Deployment', name: 'cart' },
    });
    const review = (name: string) =>
      `Tracing request to review: Deployment shop/${name} on local`;
    await waitUntil(
      'the admins to hear of both',
      async () => (await titles('ada')).length === 2,
    );
    expect(await titles('ada')).toEqual([review('cart'), review('checkout')]);
    expect(await titles('root')).toEqual([review('cart'), review('checkout')]);
    expect(await titles('bob')).toEqual([]);
    const [notice] = (await inbox('ada')).filter(n =>
      n.payload.title.endsWith('checkout on local'),
    );
    expect(notice.payload.link).toBe('/tracing/admin?q=local+shop+checkout');
    expect(notice.payload.topic).toBe(`Tracing request ${checkout.id}`);

    expect(
      (
        await backend.post(
          `/requests/${checkout.id}/approve`,
          { comment: 'ok for a week' },
          'ada',
        )
      ).status,
    ).toBe(200);
    expect(
      (
        await backend.post(
          `/requests/${cart.id}/reject`,
          { comment: 'use checkout first' },
          'ada',
        )
      ).status,
    ).toBe(200);
    await waitUntil(
      'checkout to turn active',
      async () =>
        (await backend.get(`/requests/${checkout.id}`)).body.status ===
        'active',
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    await waitUntil(
      'the requester to hear of all three',
      async () => (await titles('alice')).length >= 3,
    );
    // Once each, even after another reconcile pass and expiry run.
    await afterAnotherRun(backend.server, 'tracing-reconcile-clusters');
    await afterAnotherRun(backend.server, 'tracing-expire-requests');
    const alice = await inbox('alice');
    expect(alice.map(n => n.payload.title).sort()).toEqual([
      'Tracing active: Deployment shop/checkout on local',
      'Tracing approved: Deployment shop/checkout on local',
      'Tracing rejected: Deployment shop/cart on local',
    ]);
    const approved = alice.find(n =>
      n.payload.title.startsWith('Tracing approved'),
    )!;
    expect(approved.payload.description).toContain(
      'by user:default/ada: ok for a week',
    );
    expect(approved.payload.link).toBe(
      '/catalog/default/component/checkout/tracing',
    );
    const rejected = alice.find(n =>
      n.payload.title.startsWith('Tracing rejected'),
    )!;
    expect(rejected.payload.description).toContain('use checkout first');
    // The admins heard only of the new requests.
    expect(await titles('ada')).toHaveLength(2);
  });

  it('tells the requester of a failure with its reason, of a coming expiry, and of the expiry', async () => {
    const failing = await file({
      cluster: 'down',
      workload: { kind: 'Deployment', name: 'down-1' },
    });
    const soon = await file({
      entityRef: 'component:default/cart',
      workload: { kind: 'Deployment', name: 'cart' },
      expiresAt: new Date(Date.now() + 23 * HOUR).toISOString(),
    });
    const brief = await file({
      cluster: 'down',
      workload: { kind: 'Deployment', name: 'down-2' },
      expiresAt: new Date(Date.now() + 4_000).toISOString(),
    });
    for (const { id } of [failing, soon, brief]) {
      expect(
        (await backend.post(`/requests/${id}/approve`, {}, 'ada')).status,
      ).toBe(200);
    }
    const about = (title: string) => async () =>
      (await inbox('alice')).filter(n => n.payload.title === title);
    const [failed] = await waitUntil(
      'the failure notice',
      async () => {
        const list = await about(
          'Tracing failed: Deployment shop/down-1 on down',
        )();
        return list.length > 0 && list;
      },
      { timeoutMs: 30_000 },
    );
    expect(failed.payload.description).toMatch(/^unreachable: /);
    await waitUntil(
      'the expiry warning',
      async () =>
        (
          await about('Tracing expires soon: Deployment shop/cart on local')()
        ).length > 0,
    );
    await waitUntil(
      'the expiry notice',
      async () =>
        (
          await about('Tracing expired: Deployment shop/down-2 on down')()
        ).length > 0,
      { timeoutMs: 30_000 },
    );
    // Two more expiry runs: still one warning each.
    await afterAnotherRun(backend.server, 'tracing-expire-requests');
    await afterAnotherRun(backend.server, 'tracing-expire-requests');
    const counts = new Map<string, number>();
    for (const n of await inbox('alice')) {
      counts.set(n.payload.title, (counts.get(n.payload.title) ?? 0) + 1);
    }
    expect(
      counts.get('Tracing expires soon: Deployment shop/cart on local'),
    ).toBe(1);
    expect(counts.get('Tracing expired: Deployment shop/down-2 on down')).toBe(
      1,
    );
    expect(counts.get('Tracing failed: Deployment shop/down-1 on down')).toBe(
      1,
    );
  });
});
