import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { screen } from '@testing-library/react';
import { fakeTracingApi, aRequest } from './__testUtils__/fakes';
import { tracingApiRef } from './api';
import {
  EntityTracingContent,
  legacyRootRouteRef,
  tracingPlugin,
} from './plugin';

describe('the legacy plugin', () => {
  it('is the tracing plugin', () => {
    expect(tracingPlugin.getId()).toBe('tracing');
  });

  it('renders the entity tab in a legacy app, linking to the form where the app mounted the page', async () => {
    const api = fakeTracingApi({
      getEntityStatus: jest.fn(async () => ({
        requests: [aRequest({ status: 'active' })],
        objects: [],
      })),
    });
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [tracingApiRef, api],
          [
            permissionApiRef,
            { authorize: async () => ({ result: AuthorizeResult.DENY }) },
          ],
        ]}
      >
        <EntityProvider
          entity={{
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Component',
            metadata: { name: 'checkout', namespace: 'default' },
            spec: { type: 'service', owner: 'team-shop' },
          }}
        >
          <EntityTracingContent />
        </EntityProvider>
      </TestApiProvider>,
      { mountedRoutes: { '/observability/tracing': legacyRootRouteRef } },
    );
    expect(await screen.findByText('active')).toBeInTheDocument();
    expect(api.getEntityStatus).toHaveBeenCalledWith(
      'component:default/checkout',
    );
    expect(
      (await screen.findByText('Request tracing')).closest('a'),
    ).toHaveAttribute(
      'href',
      '/observability/tracing/new?entityRef=component%3Adefault%2Fcheckout',
    );
  });
});
