import { renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { aRequest, fakeTracingApi, testApis } from '../../__testUtils__/fakes';
import { FreshPermissionCache } from '../../__testUtils__/fakes';
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
    { apis: testApis(api, { allow: options.allow }) as any },
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
        /^Checked: Beyla's pods run this config .* Not checked yet: that Beyla instruments this workload/,
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
        /Sampler parentbased_traceidratio, ratio 0.25 · expires in 3 days/,
      ),
    ).toHaveLength(2);
    expect(
      screen.getByRole('link', { name: 'Open traces in Grafana' }),
    ).toHaveAttribute('href', 'http://grafana/explore?x');
  });

  it('offers Request tracing to owners and Revoke only where permitted', async () => {
    const status = { requests: [aRequest({ status: 'active' })], objects: [] };
    await render(
      fakeTracingApi({ getEntityStatus: jest.fn(async () => status) }),
      { allow: false },
    );
    expect(await screen.findByText('Request tracing')).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Revoke' }),
    ).not.toBeInTheDocument();
  });

  it('shows Revoke when the permission allows, and hides Request tracing from non-owners', async () => {
    // Another id: usePermission caches answers per request.
    const status = {
      requests: [aRequest({ id: 'r2', status: 'active' })],
      objects: [],
    };
    await render(
      fakeTracingApi({ getEntityStatus: jest.fn(async () => status) }),
      {
        allow: true,
        owner: 'group:default/team-data',
      },
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
});
