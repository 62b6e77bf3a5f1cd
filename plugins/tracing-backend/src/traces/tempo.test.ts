import { freePort } from '@internal/local-kube';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { TraceStoreSettings } from '../clusters/config';
import { TempoTraceStore, traceQL } from './tempo';
import { TraceStoreError } from './TraceStore';
import { traceLookup } from '@tracegate/plugin-tracing-common';
import { tracingRequest } from '../__testUtils__/fixtures';

/*
 * Grafana Tempo is not run here (AGPL). These answers have the shape of
 * Tempo's documented `GET /api/search` response (Tempo HTTP API docs,
 * "Search"): `traces[]` of traceID, rootServiceName, rootTraceName,
 * startTimeUnixNano as a decimal string, durationMs, with `spanSet(s)` and
 * `metrics` beside them. Tempo trims leading zeros from trace ids.
 */
const TEMPO_DOCUMENTED_SEARCH = {
  traces: [
    {
      traceID: '2f3e0cee77ae5dc9c17ade3689eb2e54',
      rootServiceName: 'checkout',
      rootTraceName: 'POST /pay',
      startTimeUnixNano: '1795773852894000000',
      durationMs: 80,
      spanSet: { spans: [], matched: 1 },
    },
    {
      traceID: '7a1d2dd4deaf177e0acf55b3c49032',
      rootServiceName: 'checkout',
      rootTraceName: 'GET /cart',
      startTimeUnixNano: '1795773912962000000',
      durationMs: 12,
      spanSet: { spans: [], matched: 1 },
    },
  ],
  metrics: { inspectedBytes: '3196', totalBlocks: 1 },
};
const TEMPO_DOCUMENTED_ERRORS = {
  traces: [TEMPO_DOCUMENTED_SEARCH.traces[0]],
  metrics: { totalBlocks: 1 },
};
/** Tempo leaves `traces` out when nothing matched. */
const TEMPO_NOTHING_FOUND = { metrics: { totalBlocks: 1 } };

type Answer = { status: number; body: unknown };

async function fakeTempo(answer: (q: string) => Answer) {
  const seen: Array<{ url: URL; headers: http.IncomingHttpHeaders }> = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url!, 'http://tempo');
    seen.push({ url, headers: req.headers });
    const { status, body } = answer(url.searchParams.get('q') ?? '');
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const settings: TraceStoreSettings = {
    type: 'tempo',
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    headers: { 'X-Scope-OrgID': 'team-shop' },
  };
  return {
    settings,
    seen,
    close: () => {
      server.closeAllConnections();
      return new Promise(r => server.close(r));
    },
  };
}

const CHECKOUT = tracingRequest('r1', {
  namespace: 'shop',
  workload: { kind: 'Deployment', name: 'checkout' },
});

const QUERY = {
  lookup: traceLookup(CHECKOUT),
  fromMs: Date.parse('2026-11-27T10:00:00.500Z'),
  toMs: Date.parse('2026-11-27T11:00:00.500Z'),
  limit: 20,
};

describe('the Tempo client', () => {
  it('asks /api/search with TraceQL, epoch seconds, the limit and the tenant header', async () => {
    const tempo = await fakeTempo(q =>
      q.includes('status = error')
        ? { status: 200, body: TEMPO_DOCUMENTED_ERRORS }
        : { status: 200, body: TEMPO_DOCUMENTED_SEARCH },
    );
    try {
      const traces = await new TempoTraceStore(tempo.settings).search(QUERY);
      expect(tempo.seen).toHaveLength(2);
      const [plain] = tempo.seen.filter(
        s => !s.url.searchParams.get('q')!.includes('error'),
      );
      expect(plain.url.pathname).toBe('/api/search');
      expect(Object.fromEntries(plain.url.searchParams)).toEqual({
        q: '{ resource.k8s.namespace.name = "shop" && resource.k8s.deployment.name = "checkout" }',
        start: '1795773600',
        end: '1795777201',
        limit: '20',
      });
      expect(plain.headers['x-scope-orgid']).toBe('team-shop');
      expect(traces).toEqual([
        {
          traceId: '007a1d2dd4deaf177e0acf55b3c49032',
          startTime: '2026-11-27T10:05:12.962Z',
          rootServiceName: 'checkout',
          rootSpanName: 'GET /cart',
          durationMs: 12,
          error: false,
        },
        {
          traceId: '2f3e0cee77ae5dc9c17ade3689eb2e54',
          startTime: '2026-11-27T10:04:12.894Z',
          rootServiceName: 'checkout',
          rootSpanName: 'POST /pay',
          durationMs: 80,
          error: true,
        },
      ]);
    } finally {
      await tempo.close();
    }
  });

  it('sends one search when errors are not asked for, and reads "nothing found"', async () => {
    const tempo = await fakeTempo(() => ({
      status: 200,
      body: TEMPO_NOTHING_FOUND,
    }));
    try {
      const traces = await new TempoTraceStore(tempo.settings).search({
        ...QUERY,
        flagErrors: false,
      });
      expect(traces).toEqual([]);
      expect(tempo.seen).toHaveLength(1);
    } finally {
      await tempo.close();
    }
  });

  it('turns an error answer into a message naming the store, never its headers', async () => {
    const tempo = await fakeTempo(() => ({
      status: 400,
      body: 'invalid TraceQL query: parse error at line 1',
    }));
    try {
      const search = new TempoTraceStore(tempo.settings).search(QUERY);
      await expect(search).rejects.toThrow(TraceStoreError);
      await expect(search).rejects.toThrow(
        /^The trace store \(tempo at 127\.0\.0\.1:\d+\) answered 400: invalid TraceQL query/,
      );
      await expect(search).rejects.not.toThrow(/team-shop/);
    } finally {
      await tempo.close();
    }
  });

  it('says so when nothing answers', async () => {
    const port = await freePort(); // nothing listens there
    const search = new TempoTraceStore({
      type: 'tempo',
      url: `http://127.0.0.1:${port}`,
      headers: {},
    }).search(QUERY);
    await expect(search).rejects.toThrow(
      `The trace store (tempo at 127.0.0.1:${port}) did not answer: ECONNREFUSED`,
    );
  });

  it.each([
    [
      'Deployment',
      '{ resource.k8s.namespace.name = "shop" && resource.k8s.deployment.name = "cart" && status = error }',
    ],
    [
      'StatefulSet',
      '{ resource.k8s.namespace.name = "shop" && resource.k8s.statefulset.name = "cart" && status = error }',
    ],
    [
      'DaemonSet',
      '{ resource.k8s.namespace.name = "shop" && resource.k8s.daemonset.name = "cart" && status = error }',
    ],
  ] as const)(
    'sends the TraceQL of a %s: its Kubernetes identity, never a service name',
    async (kind, errorsQuery) => {
      const tempo = await fakeTempo(() => ({
        status: 200,
        body: TEMPO_NOTHING_FOUND,
      }));
      try {
        // Beyla names this Helm release's service shop-cart; the query
        // does not depend on it.
        const request = tracingRequest('r2', {
          namespace: 'shop',
          workload: { kind, name: 'cart' },
          targetCheck: {
            result: 'verified',
            at: '2026-12-01T00:00:00.000Z',
            beyla: {
              from: 'pod template',
              names: [
                {
                  container: 'cart',
                  name: 'shop-cart',
                  nameSource: 'label app.kubernetes.io/instance',
                  namespace: 'shop',
                  namespaceSource: 'the Kubernetes namespace',
                },
              ],
            },
          },
        });
        await new TempoTraceStore(tempo.settings).search({
          ...QUERY,
          lookup: traceLookup(request),
        });
        expect(tempo.seen.map(s => s.url.searchParams.get('q')).sort()).toEqual(
          [errorsQuery.replace(' && status = error', ''), errorsQuery].sort(),
        );
      } finally {
        await tempo.close();
      }
    },
  );

  it('quotes values as TraceQL strings', () => {
    const tricky = tracingRequest('r3', {
      namespace: 'on',
      workload: { kind: 'Deployment', name: 'a"b\\c' },
    });
    expect(traceQL({ ...QUERY, lookup: traceLookup(tricky) })).toBe(
      '{ resource.k8s.namespace.name = "on" && resource.k8s.deployment.name = "a\\"b\\\\c" }',
    );
  });

  it('finds Prometheus by its own service name', () => {
    const prometheus = tracingRequest('r4', {
      method: 'prometheus',
      namespace: 'monitoring',
      workload: { kind: 'Prometheus', name: 'k8s' },
    });
    expect(traceLookup(prometheus)).toEqual({
      resource: [{ attribute: 'service.name', value: 'prometheus' }],
      serviceNames: ['prometheus'],
      traceQL: '{ resource.service.name = "prometheus" }',
    });
  });
});
