import { renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  aRequest,
  recentTraces,
  fakeTracingApi,
  testApis,
  testMountedRoutes,
} from '../../__testUtils__/fakes';
import { FreshPermissionCache } from '../../__testUtils__/fakes';
import { TracingRequest } from '@tracegate/plugin-tracing-common';
import { EntityTracingContent } from './EntityTracingContent';

const entity = (owner: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'checkout', namespace: 'default' },
  spec: { type: 'service', owner },
  relations: [{ type: 'ownedBy', targetRef: owner }],
});

function render(
  api = fakeTracingApi(),
  options: { owner?: string; allow?: boolean } = {},
) {
  return renderInTestApp(
    <FreshPermissionCache>
      <EntityProvider
        entity={entity(options.owner ?? 'group:default/team-shop')}
      >
        <EntityTracingContent />
      </EntityProvider>
    </FreshPermissionCache>,
    {
      apis: testApis(api, { allow: options.allow }) as any,
      mountedRoutes: testMountedRoutes,
    },
  );
}

describe('EntityTracingContent', () => {
  it('shows each request with its state, sampling, live objects and error', async () => {
    await render(
      fakeTracingApi({
        getEntityStatus: jest.fn(async () => ({
          requests: [
            aRequest({
              id: 'a',
              status: 'active',
              lastApply: { at: new Date().toISOString() },
            }),
            aRequest({
              id: 'f',
              status: 'failed',
              lastApply: {
                at: new Date().toISOString(),
                error: 'forbidden: no daemonsets',
              },
            }),
          ],
          objects: [
            {
              requestId: 'a',
              cluster: 'local',
              kind: 'ConfigMap',
              namespace: 'beyla',
              name: 'beyla-config',
              present: true,
              detail: 'discovery entry present',
            },
          ],
          grafanaExploreUrl: 'http://grafana/explore?x',
        })),
      }),
    );
    expect(await screen.findByText('active')).toBeInTheDocument();
    expect(screen.getByText('failed')).toBeInTheDocument();
    expect(
      screen.getByText(
        /^Checked: Beyla's pods run this config .* Whether Beyla instruments this workload shows in whether its traces reach the trace store.* Tracegate's tests load its configs in Beyla's own code .*; no Beyla process ran them\.$/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Apply failed: forbidden: no daemonsets'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('ConfigMap beyla/beyla-config: present'),
    ).toBeInTheDocument();
    expect(
      screen.getAllByText(
        /Sampler parentbased_traceidratio, ratio 0.25 · expires in 3 d/,
      ),
    ).toHaveLength(2);
    expect(
      screen.getByRole('link', { name: 'Open traces in Grafana' }),
    ).toHaveAttribute('href', 'http://grafana/explore?x');
  });

  it('through git: approved · committed <sha> until the cluster holds it, then what was checked', async () => {
    await render(
      fakeTracingApi({
        getEntityStatus: jest.fn(async () => ({
          requests: [
            aRequest({
              id: 'w',
              status: 'approved',
              lastApply: {
                at: new Date().toISOString(),
                commit: {
                  sha: '1a2b3c4d5e6f',
                  onCluster: false,
                  waitingFor: 'DaemonSet beyla/beyla not on the cluster',
                },
              },
            }),
            aRequest({
              id: 'g',
              status: 'active',
              lastApply: {
                at: new Date().toISOString(),
                commit: { sha: '9f8e7d6c5b4a', onCluster: true },
              },
            }),
          ],
          objects: [],
        })),
      }),
    );
    expect(
      await screen.findByText('approved · committed 1a2b3c4'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        'Git: committed 1a2b3c4; not on the cluster yet: DaemonSet beyla/beyla not on the cluster',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Git: committed 9f8e7d6, on the cluster'),
    ).toBeInTheDocument();
    expect(
      screen.getAllByText(
        /^Checked: the API server holds each of this request's objects as committed, read back by Tracegate/,
      ),
    ).toHaveLength(1);
    expect(screen.getAllByText(/last committed/)).toHaveLength(2);
  });

  it('offers Request tracing where the backend says the policy allows it, and Revoke only where permitted', async () => {
    const status = { requests: [aRequest({ status: 'active' })], objects: [] };
    const api = fakeTracingApi({
      getEntityStatus: jest.fn(async () => status),
    });
    await render(api, { allow: false });
    expect(
      (await screen.findByText('Request tracing')).closest('a'),
    ).toHaveAttribute(
      'href',
      '/observability/tracing/new?entityRef=component%3Adefault%2Fcheckout',
    );
    expect(api.getEntityCapabilities).toHaveBeenCalledWith(
      'component:default/checkout',
    );
    expect(
      screen.queryByRole('button', { name: 'Revoke' }),
    ).not.toBeInTheDocument();
  });

  it('shows Revoke when the permission allows, and hides Request tracing when the policy does not allow filing', async () => {
    // Another id: usePermission caches answers per request.
    const status = {
      requests: [aRequest({ id: 'r2', status: 'active' })],
      objects: [],
    };
    await render(
      fakeTracingApi({
        getEntityStatus: jest.fn(async () => status),
        getEntityCapabilities: jest.fn(async () => ({ request: false })),
      }),
      { allow: true },
    );
    expect(
      await screen.findByRole('button', { name: 'Revoke' }),
    ).toBeInTheDocument();
    expect(screen.queryByText('Request tracing')).not.toBeInTheDocument();
  });

  it("lets an owner extend a live request, within maxDuration, and shows the target's check", async () => {
    const api = fakeTracingApi({
      getEntityStatus: jest.fn(async () => ({
        requests: [
          aRequest({
            id: 'a',
            status: 'active',
            targetCheck: {
              result: 'verified',
              owned: true,
              at: new Date().toISOString(),
            },
          }),
        ],
        objects: [],
      })),
      extendRequest: jest.fn(async () =>
        aRequest({ id: 'b', supersedes: 'a' }),
      ),
    });
    await render(api);
    expect(
      await screen.findByText(/target verified, the entity's own/),
    ).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Extend' }));
    const dialog = await screen.findByRole('dialog');
    const days = within(dialog).getByLabelText('Days from now');
    await userEvent.clear(days);
    await userEvent.type(days, '45');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Extend' }),
    );
    expect(
      within(dialog).getByText(
        'must be at most 30 days from now (tracing.maxDuration)',
      ),
    ).toBeInTheDocument();
    expect(api.extendRequest).not.toHaveBeenCalled();
    await userEvent.clear(days);
    await userEvent.type(days, '14');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Extend' }),
    );
    expect(api.extendRequest).toHaveBeenCalledWith('a', {
      expiresAt: expect.any(String),
    });
    const { expiresAt } = api.extendRequest.mock.calls[0][1];
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(
      13.9 * 86_400_000,
    );
  });

  it('says so when there is no request, and shows errors', async () => {
    await render();
    expect(
      await screen.findByText('No tracing requests yet'),
    ).toBeInTheDocument();
  });

  it('shows an error panel when the backend fails', async () => {
    await render(
      fakeTracingApi({
        getEntityStatus: jest.fn(async () => {
          throw new Error('boom');
        }),
      }),
    );
    expect(
      await screen.findByText(/Could not load the tracing state/),
    ).toBeInTheDocument();
  });

  it('lets the requester cancel a pending request after confirming', async () => {
    const api = fakeTracingApi({
      getEntityStatus: jest.fn(async () => ({
        requests: [aRequest({ id: 'p', status: 'pending' })],
        objects: [],
      })),
      decide: jest.fn(async () => aRequest({ id: 'p', status: 'cancelled' })),
    });
    await render(api, { allow: true });
    await userEvent.click(
      await screen.findByRole('button', { name: 'Cancel request' }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(
      within(dialog).getByText(
        /Tracing for Deployment shop\/checkout on local will not be reviewed/,
      ),
    ).toBeInTheDocument();
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Keep it' }),
    );
    expect(api.decide).not.toHaveBeenCalled();
    await userEvent.click(
      screen.getByRole('button', { name: 'Cancel request' }),
    );
    await userEvent.click(
      within(await screen.findByRole('dialog')).getByRole('button', {
        name: 'Cancel request',
      }),
    );
    expect(api.decide).toHaveBeenCalledWith('p', 'cancel', {
      comment: 'cancelled by the requester',
    });
  });

  describe('traces of an active request', () => {
    const active = (traces?: Partial<TracingRequest['traces']>) =>
      aRequest({
        id: 'a',
        status: 'active',
        ...(traces
          ? {
              traces: {
                checkedAt: new Date().toISOString(),
                countLast15m: 0,
                ...traces,
              },
            }
          : {}),
      });
    const withRequest = (
      request: TracingRequest,
      change: Parameters<typeof fakeTracingApi>[0] = {},
    ) =>
      fakeTracingApi({
        getEntityStatus: jest.fn(async () => ({
          requests: [request],
          objects: [],
        })),
        ...change,
      });

    it('lists recent traces with root span, duration, result and a link, and says when they were seen', async () => {
      const seen = new Date(Date.now() - 12_000).toISOString();
      const api = withRequest(active({ lastSeenAt: seen, countLast15m: 34 }), {
        getRecentTraces: jest.fn(async () =>
          recentTraces({
            store: 'tempo',
            from: seen,
            to: seen,
            items: [
              {
                traceId: '2f3e0cee77ae5dc9c17ade3689eb2e54',
                startTime: seen,
                rootServiceName: 'checkout',
                rootSpanName: 'POST /pay',
                durationMs: 80.4,
                error: true,
                url: 'http://grafana/explore?trace=2f3e',
              },
            ],
          }),
        ),
      });
      await render(api);
      const table = await screen.findByRole('table', { name: 'Recent traces' });
      expect(
        within(table).getByText('checkout: POST /pay'),
      ).toBeInTheDocument();
      expect(within(table).getByText('80 ms')).toBeInTheDocument();
      expect(within(table).getByText('error')).toBeInTheDocument();
      expect(
        within(table).getByRole('link', { name: /^2f3e0cee…/ }),
      ).toHaveAttribute('href', 'http://grafana/explore?trace=2f3e');
      expect(
        screen.getByText(
          /^traces seen 1[2-9] s ago \(34 in the last 15 min\) · checked/,
        ),
      ).toBeInTheDocument();
      expect(api.getRecentTraces).toHaveBeenCalledWith('a');
    });

    it('with none, says "no traces yet" with the reasons the check found', async () => {
      await render(
        withRequest(
          active({
            reasons: [
              'the Beyla pod on node kwok-node-1 (beyla-x) is not ready',
            ],
          }),
        ),
      );
      expect(
        await screen.findByText(/^no traces yet · checked/),
      ).toBeInTheDocument();
      expect(
        within(screen.getByRole('list', { name: 'Why no traces' })).getByText(
          'the Beyla pod on node kwok-node-1 (beyla-x) is not ready',
        ),
      ).toBeInTheDocument();
      expect(
        await screen.findByText(
          'No traces with k8s.namespace.name=shop, k8s.deployment.name=checkout in the last hour.',
        ),
      ).toBeInTheDocument();
    });

    it('shows a store that did not answer as a warning; the rest of the tab works', async () => {
      await render(
        withRequest(active(), {
          getRecentTraces: jest.fn(async () =>
            recentTraces({
              from: '',
              to: '',
              items: [],
              error:
                'The trace store (jaeger at 127.0.0.1:16686) did not answer: ECONNREFUSED',
            }),
          ),
        }),
        { allow: true },
      );
      expect(
        await screen.findByText(/The trace store could not be asked/),
      ).toBeInTheDocument();
      expect(screen.getByText('traces not checked yet')).toBeInTheDocument();
      expect(screen.getByText('active')).toBeInTheDocument();
      expect(
        screen.getByRole('button', { name: 'Revoke' }),
      ).toBeInTheDocument();
    });

    it('shows a failed call as an error in its own section', async () => {
      await render(
        withRequest(active(), {
          getRecentTraces: jest.fn(async () => {
            throw new Error('503 the database did not answer');
          }),
        }),
      );
      expect(
        await screen.findByText(/Could not load recent traces/),
      ).toBeInTheDocument();
      expect(screen.getByText('active')).toBeInTheDocument();
    });
  });
});
