import { mockCredentials } from '@backstage/backend-test-utils';
import {
  actionsRegistryServiceFactory,
  actionsServiceFactory,
} from '@backstage/backend-defaults/alpha';
import mcpActionsPlugin from '@backstage/plugin-mcp-actions-backend';
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
 * The MCP actions backend (what an AI assistant talks to, at
 * /api/mcp-actions/v1) with Backstage's real actions services, listing and
 * calling Tracegate's actions as users of the test catalog and policy.
 */

jest.setTimeout(60_000);

let backend: TracingTestBackend;

beforeAll(async () => {
  backend = await startTracingBackend({
    config: {
      app: { baseUrl: 'https://backstage.example.com' },
      backend: { actions: { pluginSources: ['tracing'] } },
    },
    features: [
      mcpActionsPlugin,
      actionsServiceFactory,
      actionsRegistryServiceFactory,
    ],
    tracing: { clusters: [unreachableCluster()] },
  });
});

/** One JSON-RPC call to the MCP server, as `user`; its answer's result. */
async function mcp(user: TestUser, method: string, params: object = {}) {
  const res = await request(backend.server)
    .post('/api/mcp-actions/v1')
    .set('Authorization', mockCredentials.user.header(userRef(user)))
    .set('Accept', 'application/json, text/event-stream')
    .send({ jsonrpc: '2.0', id: 1, method, params });
  expect(res.status).toBe(200);
  // Streamable HTTP: one server-sent event carrying the JSON-RPC answer.
  const data = res.text
    .split('\n')
    .find(line => line.startsWith('data: '))!
    .slice('data: '.length);
  return JSON.parse(data).result;
}

const checkoutRequest = {
  entityRef: 'component:default/checkout',
  workload: { kind: 'Deployment', name: 'checkout-mcp' },
  namespace: 'shop',
  reason: 'asked by an assistant',
};

describe("Tracegate's actions through the MCP actions backend", () => {
  it('are listed as tools with their input schemas and hints', async () => {
    const { tools } = await mcp('alice', 'tools/list');
    const byName = Object.fromEntries(tools.map((t: any) => [t.name, t]));
    expect(Object.keys(byName).sort()).toEqual([
      'tracing.get-tracing-status',
      'tracing.list-tracing-requests',
      'tracing.request-tracing',
    ]);
    expect(byName['tracing.request-tracing'].inputSchema.required).toEqual([
      'entityRef',
      'reason',
    ]);
    expect(byName['tracing.get-tracing-status'].annotations).toMatchObject({
      readOnlyHint: true,
    });
    expect(byName['tracing.request-tracing'].annotations).toMatchObject({
      readOnlyHint: false,
      destructiveHint: false,
    });
  });

  it('file a request as the calling user, and refuse one the user may not file', async () => {
    const refused = await mcp('bob', 'tools/call', {
      name: 'tracing.request-tracing',
      arguments: checkoutRequest,
    });
    expect(refused.isError).toBe(true);
    expect(JSON.stringify(refused.content)).toContain(
      'You may not create this tracing request',
    );

    const filed = await mcp('alice', 'tools/call', {
      name: 'tracing.request-tracing',
      arguments: checkoutRequest,
    });
    expect(filed.isError).toBeFalsy();
    const answer = JSON.parse(filed.content[0].text);
    expect(answer).toMatchObject({
      status: 'pending',
      target: 'Deployment shop/checkout-mcp',
    });

    // The same request through the REST API: filed by alice, and only once.
    const listed = await backend.get(
      '/requests?entityRef=component:default/checkout&limit=100',
      'ada',
    );
    const mine = listed.body.items.filter(
      (r: any) => r.workload.name === 'checkout-mcp',
    );
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      id: answer.id,
      requestedBy: userRef('alice'),
      status: 'pending',
    });
  });
});
