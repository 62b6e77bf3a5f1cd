import { JsonObject } from '@backstage/types';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import {
  deploymentManifest,
  freePort,
  LocalTraceStore,
  sendSpans,
  startJaeger,
} from '@internal/local-kube';
import { RecentTracesService } from './RecentTracesService';
import { TraceArrivalChecker } from './TraceArrivalChecker';
import { clusterReader, whyNoTraces } from './whyNoTraces';
import { ClusterRegistry } from '../clusters/ClusterRegistry';
import { DatabaseTracingRequestStore } from '../database/DatabaseTracingRequestStore';
import { startTracingBackend } from '../__testUtils__/backend';
import {
  NEW_REQUEST,
  requestInput,
  tracingRequest,
} from '../__testUtils__/fixtures';
import {
  localClusterConfig,
  localClusterSettings,
  useSeededCluster,
} from '../__testUtils__/kube';
import { waitUntil } from '../__testUtils__/wait';

/**
 * Recent traces and "traces arriving" against a real trace store (Jaeger
 * v2, receiving real OTLP spans) and the local control plane with its KWOK
 * nodes, where Beyla's DaemonSet really rolls out.
 */

jest.setTimeout(300_000);

/** The resource Beyla gives spans of a Deployment's pod. */
function beylaResource(service: string, namespace: string, deployment: string) {
  return {
    'service.name': service,
    'service.namespace': namespace,
    'k8s.namespace.name': namespace,
    'k8s.deployment.name': deployment,
    'k8s.owner.name': deployment,
    'k8s.kind': 'Deployment',
  };
}

const databases = TestDatabases.create({
  ids: ['SQLITE_3'],
  disableDocker: true,
});

const kube = useSeededCluster();
let jaeger: LocalTraceStore;

beforeAll(async () => {
  jaeger = await startJaeger();
}, 900_000);

afterAll(async () => {
  await jaeger?.stop();
});

const withJaeger = () => ({
  traces: {
    type: 'jaeger',
    url: jaeger.queryUrl,
    uiUrl: 'http://jaeger-ui.example',
  },
});

/** A backend on the local cluster and Jaeger, and a checker on its database. */
async function setup(traces: JsonObject = withJaeger()) {
  const knex = await databases.init('SQLITE_3');
  const clusterConfig = localClusterConfig(kube.cluster, {
    token: kube.token,
    config: traces,
  });
  const backend = await startTracingBackend({
    knex,
    tracing: { clusters: [clusterConfig] },
  });
  const store = await DatabaseTracingRequestStore.create({
    database: mockServices.database({ knex }),
  });
  const clusters = new ClusterRegistry([
    localClusterSettings(kube.cluster, { token: kube.token, config: traces }),
  ]);
  const checker = new TraceArrivalChecker({
    store,
    clusters,
    logger: mockServices.logger.mock(),
    graceMs: 0,
  });
  /** Files a request as its owner, approves it as an admin, waits for active. */
  async function activeRequest(change: Parameters<typeof requestInput>[0]) {
    const filed = await backend.post(
      '/requests',
      requestInput(change),
      'alice',
    );
    expect(filed.status).toBe(201);
    const approved = await backend.post(
      `/requests/${filed.body.id}/approve`,
      {},
      'ada',
    );
    expect(approved.status).toBe(200);
    return waitUntil(
      'the request to turn active',
      async () => {
        const res = await backend.get(`/requests/${filed.body.id}`, 'alice');
        return res.body.status === 'active' && res.body;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
  }
  return { backend, store, clusters, checker, activeRequest };
}

describe('traces of an active request', () => {
  it('lists spans sent for shop/checkout in the API, and the check records them', async () => {
    const { backend, store, checker, activeRequest } = await setup();
    const request = await activeRequest({});
    // Spans are back-dated by their duration; let them start after activation.
    await new Promise(r => setTimeout(r, 200));
    // As Beyla sends them: named after the Deployment (no Helm labels),
    // with its Kubernetes identity.
    const ids = await sendSpans(
      jaeger.otlpHttpUrl,
      beylaResource('checkout', 'shop', 'checkout'),
      [
        { name: 'GET /cart', durationMs: 12 },
        { name: 'POST /pay', durationMs: 80, error: true },
      ],
    );
    // The same service name in another namespace is another workload.
    await sendSpans(
      jaeger.otlpHttpUrl,
      beylaResource('checkout', 'staging', 'checkout'),
      [{ name: 'GET /staging', durationMs: 5 }],
    );

    const res = await backend.get(`/requests/${request.id}/traces`, 'alice');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      requestId: request.id,
      cluster: 'local',
      store: 'jaeger',
      lookup: {
        resource: [
          { attribute: 'k8s.namespace.name', value: 'shop' },
          { attribute: 'k8s.deployment.name', value: 'checkout' },
        ],
        serviceNames: ['checkout'],
      },
    });
    expect(res.body.error).toBeUndefined();
    expect(
      res.body.items.map((t: any) => [t.rootSpanName, t.error]).sort(),
    ).toEqual([
      ['GET /cart', false],
      ['POST /pay', true],
    ]);
    expect(res.body.items.map((t: any) => t.traceId).sort()).toEqual(
      [...ids].sort(),
    );
    expect(res.body.items[0].url).toBe(
      `http://jaeger-ui.example/trace/${res.body.items[0].traceId}`,
    );
    expect(res.body.items[0].durationMs).toBeGreaterThan(0);

    const pass = await checker.checkAll();
    expect(pass).toEqual({ checked: 1, queries: 1, failed: 0 });
    const { traces } = (await store.get(request.id))!;
    expect(traces).toMatchObject({ countLast15m: 2 });
    expect(traces!.reasons).toBeUndefined();
    expect(Date.parse(traces!.lastSeenAt!)).toBeGreaterThanOrEqual(
      Date.parse(request.updatedAt) - 1000,
    );
    // The list and the entity's status carry it to the tab and the queue.
    const listed = await backend.get(`/requests/${request.id}`, 'alice');
    expect(listed.body.traces).toEqual(traces);
  });

  it('with none sent, says "none" with the reasons it could check on the cluster', async () => {
    const { store, checker, clusters, activeRequest } = await setup();
    // cart's pods declare 8080; this filter and ratio keep traces away.
    const request = await activeRequest({
      entityRef: 'component:default/cart',
      workload: { kind: 'Deployment', name: 'cart' },
      openPorts: '9000-9100',
      sampling: { sampler: 'traceidratio', ratio: 0.001 },
    });
    await checker.checkAll();
    const { traces } = (await store.get(request.id))!;
    expect(traces!.lastSeenAt).toBeUndefined();
    expect(traces!.countLast15m).toBe(0);
    expect(traces!.reasons).toEqual([
      'the ratio 0.001 keeps about 1 trace in 1000: a quiet service may show none for a long time',
      'the open-ports filter 9000-9100 excludes every port the pods declare (8080)',
    ]);

    // Beyla not running where the workload runs: here, Beyla looked for in
    // a namespace that has none of its pods.
    const settings = clusters.find('local')!;
    const elsewhere = {
      ...settings,
      beyla: { ...settings.beyla, namespace: 'shop' },
    };
    const { reasons } = await whyNoTraces(
      request,
      elsewhere,
      clusterReader(elsewhere, clusters.api(settings)),
    );
    expect(reasons).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^no Beyla pod runs on node kwok-node-\d$/),
      ]),
    );
  });
});

describe("a Helm release's traces, found by its Kubernetes identity", () => {
  it('asks Jaeger for the name Beyla gives it and keeps only the spans of this Deployment', async () => {
    const { backend, store, checker, activeRequest } = await setup();
    // checkout's team runs a Helm release: its pods carry the release name.
    await kube.admin.apply(
      deploymentManifest({
        namespace: 'shop',
        name: 'payments',
        entityId: 'checkout',
        podLabels: {
          'app.kubernetes.io/instance': 'shop-payments',
          'app.kubernetes.io/name': 'payments',
        },
      }) as never,
      { force: true },
    );
    const request = await activeRequest({
      workload: { kind: 'Deployment', name: 'payments' },
    });
    // Resolved from the pod template when filed, by Beyla 3.33.0's rules.
    expect(request.targetCheck.beyla).toEqual({
      from: 'the pod template of Deployment shop/payments, Beyla 3.33.0',
      names: [
        {
          container: 'payments',
          name: 'shop-payments',
          nameSource: 'label app.kubernetes.io/instance',
          namespace: 'shop',
          namespaceSource: 'the Kubernetes namespace',
        },
      ],
    });
    await new Promise(r => setTimeout(r, 200));
    const ids = await sendSpans(
      jaeger.otlpHttpUrl,
      beylaResource('shop-payments', 'shop', 'payments'),
      [{ name: 'POST /charge', durationMs: 30 }],
    );
    // The same release name installed in another namespace: not this target.
    await sendSpans(
      jaeger.otlpHttpUrl,
      beylaResource('shop-payments', 'data', 'payments'),
      [{ name: 'POST /other', durationMs: 7 }],
    );

    const res = await backend.get(`/requests/${request.id}/traces`, 'alice');
    expect(res.body.lookup.serviceNames).toEqual(['shop-payments']);
    expect(res.body.items.map((t: any) => t.traceId)).toEqual(ids);
    expect(res.body.items.map((t: any) => t.rootSpanName)).toEqual([
      'POST /charge',
    ]);
    await checker.checkAll();
    const { traces } = (await store.get(request.id))!;
    expect(traces).toMatchObject({ countLast15m: 1 });
    expect(traces!.reasons).toBeUndefined();
  });
});

describe('a trace store that is down', () => {
  it('is an error in the answer and on the request; the rest of the API still answers', async () => {
    const port = await freePort(); // nothing listens there
    const down = {
      traces: { type: 'jaeger', url: `http://127.0.0.1:${port}` },
    };
    const { backend, store, checker, activeRequest } = await setup(down);
    const request = await activeRequest({});

    const res = await backend.get(`/requests/${request.id}/traces`, 'alice');
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([]);
    expect(res.body.error).toBe(
      `The trace store (jaeger at 127.0.0.1:${port}) did not answer: ECONNREFUSED`,
    );
    const status = await backend.get(
      '/entities/component/default/checkout/status',
      'alice',
    );
    expect(status.status).toBe(200);
    expect(status.body.objects.length).toBeGreaterThan(0);

    // Seven more active requests (store only): after three failures in a
    // row the pass stops asking, but still records why on each.
    for (let i = 0; i < 7; i++) {
      const other = await store.create(
        { ...NEW_REQUEST, workload: { kind: 'Deployment', name: `w${i}` } },
        { actor: 'a', at: new Date().toISOString() },
      );
      for (const [from, to] of [
        ['pending', 'approved'],
        ['approved', 'active'],
      ] as const) {
        await store.transition({
          id: other.id,
          from,
          to,
          actor: 'a',
          at: new Date().toISOString(),
        });
      }
    }
    const pass = await checker.checkAll();
    expect(pass.checked).toBe(8);
    expect(pass.failed).toBe(8);
    expect(pass.queries).toBeLessThan(8);
    const { traces } = (await store.get(request.id))!;
    expect(traces!.error).toMatch(/did not answer: ECONNREFUSED/);
  });
});

describe('recent traces without a store', () => {
  it('says that none is configured', async () => {
    const answer = await new RecentTracesService({
      clusters: new ClusterRegistry([
        localClusterSettings(kube.cluster, { token: kube.token }),
      ]),
    }).recent(tracingRequest('r1', { status: 'active' }));
    expect(answer.error).toBe(
      'No trace store is configured for cluster local (tracing.clusters[].traces)',
    );
  });
});
