import { setupServer } from 'msw/node';
import { http, HttpResponse } from 'msw';
import { TracingClient } from './TracingClient';

const baseUrl = 'http://backstage.test/api/tracing';
const server = setupServer();

describe('TracingClient', () => {
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  const client = new TracingClient({
    discoveryApi: { getBaseUrl: async () => baseUrl },
    fetchApi: { fetch: (input, init) => fetch(input, init) },
  });

  it('reads the backend health', async () => {
    server.use(
      http.get(`${baseUrl}/health`, () => HttpResponse.json({ status: 'ok' })),
    );
    await expect(client.getHealth()).resolves.toEqual({ status: 'ok' });
  });

  it('sends filters as query parameters, repeating status', async () => {
    let url = '';
    server.use(
      http.get(`${baseUrl}/requests`, ({ request }) => {
        url = request.url;
        return HttpResponse.json({ items: [] });
      }),
    );
    await client.listRequests({
      entityRef: 'component:default/checkout',
      status: ['pending', 'active'],
      limit: 5,
    });
    expect(new URL(url).search).toBe(
      '?entityRef=component%3Adefault%2Fcheckout&status=pending&status=active&limit=5',
    );
  });

  it('posts decisions as JSON to the action route', async () => {
    let body: unknown;
    server.use(
      http.post(`${baseUrl}/requests/abc/reject`, async ({ request }) => {
        body = await request.json();
        return HttpResponse.json({ id: 'abc', status: 'rejected' });
      }),
    );
    await expect(
      client.decide('abc', 'reject', { comment: 'no' }),
    ).resolves.toMatchObject({
      status: 'rejected',
    });
    expect(body).toEqual({ comment: 'no' });
  });

  it('reads the entity status by kind, namespace and name', async () => {
    server.use(
      http.get(`${baseUrl}/entities/component/default/checkout/status`, () =>
        HttpResponse.json({ requests: [], objects: [] }),
      ),
    );
    await expect(
      client.getEntityStatus('component:default/checkout'),
    ).resolves.toEqual({
      requests: [],
      objects: [],
    });
  });

  it('turns an error body into a ResponseError', async () => {
    server.use(
      http.get(`${baseUrl}/health`, () =>
        HttpResponse.json(
          {
            error: { name: 'AuthenticationError', message: 'no token' },
            response: { statusCode: 401 },
          },
          { status: 401 },
        ),
      ),
    );
    await expect(client.getHealth()).rejects.toMatchObject({
      name: 'ResponseError',
      statusCode: 401,
    });
  });
});
