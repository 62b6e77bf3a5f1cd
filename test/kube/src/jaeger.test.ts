import { sendSpans, startJaeger, LocalTraceStore } from './jaeger';

jest.setTimeout(900_000); // a cold build of Jaeger takes minutes

let store: LocalTraceStore;

beforeAll(async () => {
  store = await startJaeger();
}, 900_000);

afterAll(async () => {
  await store?.stop();
});

async function tracesOf(service: string) {
  const now = Date.now();
  const query = new URLSearchParams({
    'query.service_name': service,
    'query.start_time_min': new Date(now - 3_600_000).toISOString(),
    'query.start_time_max': new Date(now + 60_000).toISOString(),
    'query.num_traces': '20',
  });
  return fetch(`${store.queryUrl}/api/v3/traces?${query}`);
}

it('stores OTLP spans and answers them on its v3 query API', async () => {
  const ids = await sendSpans(
    store.otlpHttpUrl,
    { 'service.name': 'checkout', 'k8s.namespace.name': 'shop' },
    [
      { name: 'GET /cart', durationMs: 12 },
      { name: 'POST /pay', durationMs: 80, error: true },
    ],
  );
  const res = await tracesOf('checkout');
  expect(res.status).toBe(200);
  const body = await res.json();
  const spans = body.result.resourceSpans.flatMap((rs: any) =>
    rs.scopeSpans.flatMap((ss: any) => ss.spans),
  );
  expect(spans.map((s: any) => s.name).sort()).toEqual([
    'GET /cart',
    'POST /pay',
  ]);
  // Jaeger answers trace ids in base64 or hex depending on the encoder:
  // compare as hex.
  const hexIds = spans.map((s: any) =>
    /^[0-9a-f]{32}$/.test(s.traceId)
      ? s.traceId
      : Buffer.from(s.traceId, 'base64').toString('hex'),
  );
  expect(hexIds.sort()).toEqual([...ids].sort());
});

it('answers 404 for a service with no traces', async () => {
  expect((await tracesOf('nobody-sends-this')).status).toBe(404);
});
