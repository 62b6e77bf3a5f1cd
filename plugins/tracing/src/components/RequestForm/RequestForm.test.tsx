import { renderInTestApp } from '@backstage/frontend-test-utils';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { ResponseError } from '@backstage/errors';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  testMountedRoutes,
  aRequest,
  fakeTracingApi,
  testApis,
} from '../../__testUtils__/fakes';
import { FreshPermissionCache } from '../../__testUtils__/fakes';
import { RequestForm } from './RequestForm';
import { emptyForm, validate } from './formModel';

const checkout = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'checkout',
    namespace: 'default',
    annotations: {
      'backstage.io/kubernetes-id': 'checkout',
      'backstage.io/kubernetes-namespace': 'shop',
    },
  },
  spec: { type: 'service', owner: 'team-shop' },
  relations: [{ type: 'ownedBy', targetRef: 'group:default/team-shop' }],
};

function render(api = fakeTracingApi()) {
  return renderInTestApp(
    <FreshPermissionCache>
      <RequestForm entityRef="component:default/checkout" />
    </FreshPermissionCache>,
    {
      mountedRoutes: testMountedRoutes,
      apis: testApis(api, {
        extra: [[catalogApiRef, catalogApiMock({ entities: [checkout] })]],
      }) as any,
    },
  );
}

describe('RequestForm', () => {
  it('prefills the workload from the entity annotations', async () => {
    await render();
    expect(await screen.findByLabelText('Namespace')).toHaveValue('shop');
    expect(screen.getByLabelText('Workload name')).toHaveValue('checkout');
    expect(screen.getByText(/≈ 10% of requests/)).toBeInTheDocument();
  });

  it('shows the schema messages next to the fields and sends nothing', async () => {
    const api = fakeTracingApi();
    await render(api);
    const namespace = await screen.findByLabelText('Namespace');
    fireEvent.change(namespace, { target: { value: 'Shop!' } });
    fireEvent.change(screen.getByLabelText('Duration in days'), {
      target: { value: '90' },
    });
    await userEvent.click(screen.getByRole('button', { name: 'Preview' }));
    expect(
      await screen.findByText(/must be a DNS-1123 label/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        'must be at most 30 days from now (tracing.maxDuration)',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText('must be between 1 and 2000 characters'),
    ).toBeInTheDocument();
    expect(api.previewRequest).not.toHaveBeenCalled();
  });

  it('previews, then submits, and shows server field errors by their field', async () => {
    const api = fakeTracingApi({
      previewRequest: jest.fn(async () => ({
        objects: [
          {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            name: 'beyla-config',
            namespace: 'beyla',
            yaml: 'kind: ConfigMap\n',
          },
        ],
        diff: '+  - k8s_deployment_name: checkout\n',
      })),
      createRequest: jest.fn(async () => {
        throw await ResponseError.fromResponse(
          new Response(
            JSON.stringify({
              error: {
                name: 'InputError',
                message:
                  'cluster: is not a configured cluster (configured: local)',
              },
              response: { statusCode: 400 },
            }),
            { status: 400, headers: { 'Content-Type': 'application/json' } },
          ) as any,
        );
      }),
    });
    await render(api);
    fireEvent.change(await screen.findByLabelText('Reason'), {
      target: { value: 'p99 latency' },
    });
    const submit = screen.getByRole('button', { name: 'Submit request' });
    expect(submit).toBeDisabled();
    await userEvent.click(screen.getByRole('button', { name: 'Preview' }));
    expect(
      await screen.findByText('Preview: what approval applies'),
    ).toBeInTheDocument();
    expect(screen.getByLabelText('diff')).toHaveTextContent(
      'k8s_deployment_name: checkout',
    );
    expect(api.previewRequest).toHaveBeenCalledWith(
      expect.objectContaining({
        entityRef: 'component:default/checkout',
        namespace: 'shop',
        cluster: 'local',
      }),
    );
    await userEvent.click(
      screen.getByRole('button', { name: 'Submit request' }),
    );
    expect(
      await screen.findByText(
        'is not a configured cluster (configured: local)',
      ),
    ).toBeInTheDocument();
  });

  it('confirms a filed request with its state', async () => {
    const api = fakeTracingApi({
      previewRequest: jest.fn(async () => ({ objects: [] })),
      createRequest: jest.fn(async () => aRequest()),
    });
    await render(api);
    fireEvent.change(await screen.findByLabelText('Reason'), {
      target: { value: 'p99 latency' },
    });
    await userEvent.click(screen.getByRole('button', { name: 'Preview' }));
    await waitFor(() =>
      expect(
        screen.getByRole('button', { name: 'Submit request' }),
      ).toBeEnabled(),
    );
    await userEvent.click(
      screen.getByRole('button', { name: 'Submit request' }),
    );
    expect(await screen.findByText('Tracing requested')).toBeInTheDocument();
    expect(screen.getByText('pending')).toBeInTheDocument();
  });
});

describe('validate', () => {
  it('uses the shared schema, keyed by field', () => {
    const errors = validate(
      {
        ...emptyForm('component:default/checkout'),
        cluster: 'local',
        namespace: 'shop',
        workloadName: 'x',
        openPorts: '99999',
        reason: 'r',
      },
      30 * 86_400_000,
    );
    expect(errors).toEqual({
      openPorts: expect.stringContaining('between 1 and 65535'),
    });
  });
});
