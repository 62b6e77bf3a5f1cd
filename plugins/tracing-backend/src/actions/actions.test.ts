import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import {
  startTracingBackend,
  TracingTestBackend,
} from '../__testUtils__/backend';
import {
  TestUser,
  unreachableCluster,
  userRef,
} from '../__testUtils__/fixtures';

/**
 * Tracegate's actions through Backstage's own actions registry and its HTTP
 * API (`/.backstage/actions/v1/...` of the plugin, as the MCP actions backend
 * and other tools call them), as users of the test catalog and policy.
 */

jest.setTimeout(60_000);

const ACTIONS = '/api/tracing/.backstage/actions/v1/actions';

let backend: TracingTestBackend;

beforeAll(async () => {
  backend = await startTracingBackend({
    config: { app: { baseUrl: 'https://backstage.example.com' } },
    tracing: {
      // Nothing listens on port 9: filing works, targets are not verified.
      clusters: [unreachableCluster()],
    },
  });
});

function invoke(name: string, input: object, auth: string) {
  return request(backend.server)
    .post(`${ACTIONS}/tracing:${name}/invoke`)
    .set('Authorization', auth)
    .send(input);
}

const as = (user: TestUser) => mockCredentials.user.header(userRef(user));

let filed = 0;
const requestFor = (change: object = {}) => ({
  entityRef: 'component:default/checkout',
  workload: { kind: 'Deployment', name: `checkout-${++filed}` },
  namespace: 'shop',
  reason: 'p99 latency since Tuesday',
  ...change,
});

async function requestsOfCheckout(): Promise<number> {
  const res = await backend.get(
    '/requests?entityRef=component:default/checkout&limit=100',
    'ada',
  );
  return res.body.items.length;
}

describe("Tracegate's actions", () => {
  it('are listed with their schemas and attributes', async () => {
    const res = await request(backend.server)
      .get(ACTIONS)
      .set('Authorization', as('alice'));
    expect(res.status).toBe(200);
    const byName = Object.fromEntries(
      res.body.actions.map((a: any) => [a.name, a]),
    );
    expect(Object.keys(byName).sort()).toEqual([
      'get-tracing-status',
      'list-tracing-requests',
      'request-tracing',
    ]);
    expect(byName['request-tracing'].id).toBe('tracing:request-tracing');
    expect(byName['request-tracing'].attributes).toEqual({
      readOnly: false,
      destructive: false,
      idempotent: false,
    });
    expect(byName['get-tracing-status'].attributes.readOnly).toBe(true);
    expect(byName['list-tracing-requests'].attributes.readOnly).toBe(true);
    expect(byName['request-tracing'].schema.input.required).toEqual([
      'entityRef',
      'reason',
    ]);
  });

  it("files a request as the entity's owner, through the same service as the API", async () => {
    const res = await invoke('request-tracing', requestFor(), as('alice'));
    expect(res.status).toBe(200);
    const { output } = res.body;
    expect(output).toEqual({
      id: expect.any(String),
      status: 'pending',
      target: `Deployment shop/checkout-${filed}`,
      link: 'https://backstage.example.com/catalog/default/component/checkout/tracing',
    });
    const stored = await backend.get(`/requests/${output.id}`, 'ada');
    expect(stored.body).toMatchObject({
      requestedBy: 'user:default/alice',
      sampling: { sampler: 'parentbased_traceidratio', ratio: 0.1 },
      history: [expect.objectContaining({ actor: 'user:default/alice' })],
    });
    // One day from now, the default duration.
    const expires = Date.parse(stored.body.expiresAt) - Date.now();
    expect(expires).toBeGreaterThan(86_400_000 - 60_000);
    expect(expires).toBeLessThanOrEqual(86_400_000);
  });

  it('on a dry run, checks the same and answers the preview, filing nothing', async () => {
    const before = await requestsOfCheckout();
    const res = await invoke(
      'request-tracing',
      requestFor({ dryRun: true }),
      as('alice'),
    );
    expect(res.status).toBe(200);
    const { output } = res.body;
    expect(output.id).toBeUndefined();
    expect(output.target).toBe(`Deployment shop/checkout-${filed}`);
    expect(output.preview.objects).toEqual(
      expect.arrayContaining([
        'Namespace beyla',
        expect.stringMatching(/^ConfigMap beyla\/beyla-config-[0-9a-f]+$/),
        'DaemonSet beyla/beyla',
      ]),
    );
    expect(output.preview.targetCheck).toMatch(/^target not verified/);
    expect(await requestsOfCheckout()).toBe(before);
    // A dry run as a non-owner is refused as filing is.
    const bob = await invoke(
      'request-tracing',
      requestFor({ dryRun: true }),
      as('bob'),
    );
    expect(bob.status).toBe(403);
  });

  it('refuses one who does not own the entity, and writes nothing', async () => {
    const before = await requestsOfCheckout();
    const res = await invoke('request-tracing', requestFor(), as('bob'));
    expect(res.status).toBe(403);
    expect(res.body.error.name).toBe('NotAllowedError');
    expect(await requestsOfCheckout()).toBe(before);
  });

  it('refuses a service token: the actions act for a user', async () => {
    const res = await invoke(
      'request-tracing',
      requestFor(),
      mockCredentials.service.header(),
    );
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain('signed-in user');
  });

  it.each([
    [
      'workload',
      { workload: undefined, namespace: undefined },
      "is required: the entity's own could not be listed on local",
    ],
    ['durationDays', { durationDays: 40 }, 'at most 30 days'],
    ['namespace', { namespace: 'Shop!' }, 'DNS-1123 label'],
  ])(
    'names the field when %s cannot be used, and writes nothing',
    async (field, change, message) => {
      const before = await requestsOfCheckout();
      const res = await invoke(
        'request-tracing',
        requestFor(change),
        as('alice'),
      );
      expect(res.status).toBe(400);
      expect(res.body.error.fields).toEqual([
        { field, message: expect.stringContaining(message) },
      ]);
      expect(await requestsOfCheckout()).toBe(before);
    },
  );

  it("refuses input outside the action's schema before anything runs", async () => {
    const res = await invoke(
      'request-tracing',
      requestFor({ ratio: 2 }),
      as('alice'),
    );
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(
      /^Invalid input to action "tracing:request-tracing"; caused by .*"path": \[\s*"ratio"/s,
    );
  });

  it("tells the entity's tracing status, and lists requests, as the caller may read them", async () => {
    const filedRes = await invoke('request-tracing', requestFor(), as('alice'));
    const { id } = filedRes.body.output;
    const status = await invoke(
      'get-tracing-status',
      { entityRef: 'component:default/checkout' },
      as('alice'),
    );
    expect(status.status).toBe(200);
    expect(status.body.output.link).toBe(
      'https://backstage.example.com/catalog/default/component/checkout/tracing',
    );
    expect(status.body.output.requests).toContainEqual(
      expect.objectContaining({
        id,
        status: 'pending',
        cluster: 'local',
        method: 'ebpf',
        sampling: 'parentbased_traceidratio 0.1',
      }),
    );

    const listed = await invoke(
      'list-tracing-requests',
      { status: ['pending'], limit: 100 },
      as('ada'),
    );
    expect(listed.status).toBe(200);
    expect(listed.body.output.items.map((r: any) => r.id)).toContain(id);

    // An anonymous caller is turned away before the action runs.
    const anonymous = await invoke(
      'list-tracing-requests',
      {},
      mockCredentials.none.header(),
    );
    expect(anonymous.status).toBe(401);
  });
});
