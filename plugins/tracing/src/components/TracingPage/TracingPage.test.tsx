import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import {
  testMountedRoutes,
  fakeTracingApi,
  testApis,
} from '../../__testUtils__/fakes';
import { FreshPermissionCache } from '../../__testUtils__/fakes';
import { TracingPage } from './TracingPage';

describe('TracingPage', () => {
  it('shows the backend status and my requests', async () => {
    const api = fakeTracingApi();
    await renderInTestApp(
      <FreshPermissionCache>
        <TracingPage />
      </FreshPermissionCache>,
      { apis: testApis(api) as any },
    );
    expect(await screen.findByText('Tracing backend: ok')).toBeInTheDocument();
    expect(await screen.findByText('My tracing requests')).toBeInTheDocument();
    expect(api.listRequests).toHaveBeenCalledWith({
      requestedBy: 'user:default/guest',
      limit: 100,
    });
  });

  it('shows an error when the backend refuses', async () => {
    const api = fakeTracingApi({
      getHealth: jest.fn(async () => {
        throw new Error('backend unreachable');
      }),
    });
    await renderInTestApp(
      <FreshPermissionCache>
        <TracingPage />
      </FreshPermissionCache>,
      { apis: testApis(api) as any },
    );
    expect(
      await screen.findByText(
        /Could not reach the tracing backend: backend unreachable/,
      ),
    ).toBeInTheDocument();
  });

  it('links the approval queue only for approvers', async () => {
    await renderInTestApp(
      <FreshPermissionCache>
        <TracingPage />
      </FreshPermissionCache>,
      {
        mountedRoutes: testMountedRoutes,
        apis: testApis(fakeTracingApi()) as any,
      },
    );
    await screen.findByText('Tracing backend: ok');
    expect(screen.queryByText('Approval queue')).not.toBeInTheDocument();
  });

  it('links the approval queue for approvers', async () => {
    await renderInTestApp(
      <FreshPermissionCache>
        <TracingPage />
      </FreshPermissionCache>,
      {
        mountedRoutes: testMountedRoutes,
        apis: testApis(fakeTracingApi(), { allow: true }) as any,
      },
    );
    expect(await screen.findByText('Approval queue')).toBeInTheDocument();
  });
});
