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

describe('AdminQueuePage', () => {
  it('tells non-admins the queue is not theirs', async () => {
    const api = fakeTracingApi();
    await renderInTestApp(
      <FreshPermissionCache>
        <AdminQueuePage />
      </FreshPermissionCache>,
      { apis: testApis(api) as any },
    );
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
    await renderInTestApp(
      <FreshPermissionCache>
        <AdminQueuePage />
      </FreshPermissionCache>,
      { apis: testApis(api, { allow: true }) as any },
    );
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
    await renderInTestApp(
      <FreshPermissionCache>
        <AdminQueuePage />
      </FreshPermissionCache>,
      {
        mountedRoutes: testMountedRoutes,
        apis: testApis(api, { allow: true }) as any,
      },
    );
    expect(await screen.findByText('checkout')).toBeInTheDocument();
    expect(api.listRequests).toHaveBeenCalledWith({
      status: ['pending'],
      cluster: undefined,
      limit: 100,
    });

    // The check from filing in the row, the check of now in the details.
    expect(screen.getByText('target not verified')).toBeInTheDocument();
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

  it('shows an error state', async () => {
    const api = fakeTracingApi({
      listRequests: jest.fn(async () => {
        throw new Error('down');
      }),
    });
    await renderInTestApp(
      <FreshPermissionCache>
        <AdminQueuePage />
      </FreshPermissionCache>,
      {
        mountedRoutes: testMountedRoutes,
        apis: testApis(api, { allow: true }) as any,
      },
    );
    expect(
      await screen.findByText(/Could not load the requests/),
    ).toBeInTheDocument();
  });
});
