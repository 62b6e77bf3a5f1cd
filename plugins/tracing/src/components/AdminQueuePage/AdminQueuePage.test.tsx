import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  testMountedRoutes,
  aRequest,
  fakeTracingApi,
  testApis,
} from '../../__testUtils__/fakes';
import { FreshPermissionCache } from '../../__testUtils__/fakes';
import { AdminQueuePage } from './AdminQueuePage';

/** The queue page as an admin (`allow`) or anyone else would see it. */
function renderQueue(
  api: ReturnType<typeof fakeTracingApi>,
  options: { allow?: boolean } = {},
) {
  return renderInTestApp(
    <FreshPermissionCache>
      <AdminQueuePage />
    </FreshPermissionCache>,
    {
      mountedRoutes: testMountedRoutes,
      apis: testApis(api, { allow: options.allow }) as any,
    },
  );
}

describe('AdminQueuePage', () => {
  it('follows the backend when the policy allows everyone (permission framework off)', async () => {
    const api = fakeTracingApi({
      getCapabilities: jest.fn(async () => ({
        approve: false,
        maxDurationMs: 30 * 86_400_000,
      })),
    });
    await renderQueue(api, { allow: true });
    expect(
      await screen.findByText('Only platform admins review tracing requests'),
    ).toBeInTheDocument();
    expect(api.listRequests).not.toHaveBeenCalled();
  });

  it('tells non-admins the queue is not theirs', async () => {
    const api = fakeTracingApi();
    await renderQueue(api);
    expect(
      await screen.findByText('Only platform admins review tracing requests'),
    ).toBeInTheDocument();
    expect(api.listRequests).not.toHaveBeenCalled();
  });

  it("says in the queue whether an active request's traces arrive", async () => {
    const api = fakeTracingApi({
      listRequests: jest.fn(async () => ({
        items: [
          aRequest({
            id: 'a',
            status: 'active',
            traces: {
              checkedAt: new Date().toISOString(),
              lastSeenAt: new Date(Date.now() - 5_000).toISOString(),
              countLast15m: 3,
            },
          }),
          aRequest({ id: 'p', status: 'pending' }),
        ],
      })),
    });
    await renderQueue(api, { allow: true });
    expect(
      await screen.findByText(
        /^traces seen \d+ s ago \(3 in the last 15 min\)$/,
      ),
    ).toBeInTheDocument();
    expect(screen.getAllByText(/traces seen|no traces yet/)).toHaveLength(1);
  });

  it('lists pending requests and requires a comment to reject', async () => {
    const api = fakeTracingApi({
      listRequests: jest.fn(async () => ({
        items: [
          aRequest({
            id: 'p1',
            targetCheck: {
              result: 'not-verified',
              at: '2026-11-27T00:00:00.000Z',
              message: 'cluster local could not be read: unreachable',
            },
          }),
        ],
      })),
      decide: jest.fn(async () => aRequest({ status: 'rejected' })),
      getRequestPreview: jest.fn(async () => ({
        objects: [],
        targetCheck: {
          result: 'not-found' as const,
          at: '2026-11-27T00:01:00.000Z',
          message: 'Deployment shop/checkout does not exist on cluster local',
        },
      })),
    });
    await renderQueue(api, { allow: true });
    expect(await screen.findByText('checkout')).toBeInTheDocument();
    expect(api.listRequests).toHaveBeenCalledWith({
      status: ['pending'],
      cluster: undefined,
      limit: 100,
    });

    // The check from filing in the row, the check of now in the details.
    expect(screen.getByText('not verified')).toBeInTheDocument();
    await userEvent.click(screen.getByText('checkout'));
    expect(
      await screen.findByText(
        'Now: target not found (Deployment shop/checkout does not exist on cluster local)',
      ),
    ).toBeInTheDocument();
    await userEvent.click(
      await screen.findByRole('button', { name: 'Reject' }),
    );
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Reject' }),
    );
    expect(
      await within(dialog).findByText('Comment is required when rejecting'),
    ).toBeInTheDocument();
    expect(api.decide).not.toHaveBeenCalled();

    await userEvent.type(
      within(dialog).getByLabelText('Comment (required)'),
      'use the SDK',
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Reject' }),
    );
    expect(api.decide).toHaveBeenCalledWith('p1', 'reject', {
      comment: 'use the SDK',
    });
  });

  it('loads the next page with the cursor, and searches on the server', async () => {
    const page = (from: number, count: number) =>
      Array.from({ length: count }, (_, i) =>
        aRequest({
          id: `r${from + i}`,
          workload: { kind: 'Deployment', name: `w${from + i}` },
        }),
      );
    const api = fakeTracingApi({
      listRequests: jest.fn(async options => {
        if (options?.q) return { items: page(900, 1) };
        return options?.cursor
          ? { items: page(100, 50) }
          : { items: page(0, 100), nextCursor: 'c1' };
      }),
    });
    await renderQueue(api, { allow: true });
    expect(
      await screen.findByText('Showing 100; more on the server'),
    ).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Load more' }));
    expect(await screen.findByText('Showing 150')).toBeInTheDocument();
    expect(api.listRequests).toHaveBeenLastCalledWith(
      expect.objectContaining({ cursor: 'c1', limit: 100 }),
    );
    expect(screen.getByText('shop/w149')).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Load more' }),
    ).not.toBeInTheDocument();

    await userEvent.click(screen.getByLabelText('Search'));
    await userEvent.paste('W900');
    expect(await screen.findByText('Showing 1')).toBeInTheDocument();
    expect(api.listRequests).toHaveBeenLastCalledWith(
      expect.objectContaining({ q: 'W900', limit: 100 }),
    );
  }, 60_000);

  it('shows an error state', async () => {
    const api = fakeTracingApi({
      listRequests: jest.fn(async () => {
        throw new Error('down');
      }),
    });
    await renderQueue(api, { allow: true });
    expect(
      await screen.findByText(/Could not load the requests/),
    ).toBeInTheDocument();
  });
});
