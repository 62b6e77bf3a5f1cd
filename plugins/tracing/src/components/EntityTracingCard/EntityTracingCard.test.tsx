import { renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { screen, waitFor } from '@testing-library/react';
import {
  aRequest,
  CHECKOUT_ENTITY,
  fakeTracingApi,
  testApis,
  testMountedRoutes,
} from '../../__testUtils__/fakes';
import { EntityTracingCard } from './EntityTracingCard';

const checkout = CHECKOUT_ENTITY;

function render(api: ReturnType<typeof fakeTracingApi>) {
  return renderInTestApp(
    <EntityProvider entity={checkout}>
      <EntityTracingCard />
    </EntityProvider>,
    { apis: testApis(api) as any, mountedRoutes: testMountedRoutes },
  );
}

describe('EntityTracingCard', () => {
  it("shows the newest request's state, sampling, expiry and traces, and leads to the tab", async () => {
    const api = fakeTracingApi({
      getEntityStatus: jest.fn(async () => ({
        requests: [
          aRequest({
            status: 'active',
            traces: {
              checkedAt: new Date().toISOString(),
              lastSeenAt: new Date(Date.now() - 12_000).toISOString(),
              countLast15m: 34,
            },
          }),
          aRequest({ id: 'older', status: 'expired' }),
        ],
        objects: [],
      })),
    });
    await render(api);
    expect(await screen.findByText('active')).toBeInTheDocument();
    expect(screen.queryByText('expired')).not.toBeInTheDocument();
    expect(
      screen.getByText('Deployment shop/checkout on local'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /Sampler parentbased_traceidratio, ratio 0.25 · expires in 3 d/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/^traces seen 1[2-3] s ago \(34 in the last 15 min\)$/),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Open the Tracing tab').closest('a'),
    ).toHaveAttribute('href', '/catalog/default/component/checkout/tracing');
  });

  it('shows nothing for an entity without a request', async () => {
    const api = fakeTracingApi({
      getEntityStatus: jest.fn(async () => ({ requests: [], objects: [] })),
    });
    await render(api);
    expect(api.getEntityStatus).toHaveBeenCalledWith(
      'component:default/checkout',
    );
    // Loaded (no progress bar left), and no card at all.
    await waitFor(() =>
      expect(screen.queryByRole('progressbar')).not.toBeInTheDocument(),
    );
    expect(screen.queryByText('Tracing')).not.toBeInTheDocument();
  });
});
