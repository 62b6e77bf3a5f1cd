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
import {
  CHECKOUT_ENTITY,
  FreshPermissionCache,
} from '../../__testUtils__/fakes';
import { RequestForm } from './RequestForm';
import { emptyForm, validate } from './formModel';

const checkout = CHECKOUT_ENTITY;

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
  it("picks the workload from the entity's own, as the backend lists them", async () => {
    const api = fakeTracingApi();
    await render(api);
    // The only one is chosen at once.
    expect(
      await screen.findByText('Deployment shop/checkout'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        "This service's, found by backstage.io/kubernetes-id=checkout in any namespace",
      ),
    ).toBeInTheDocument();
    expect(api.listEntityWorkloads).toHaveBeenCalledWith(
      'component:default/checkout',
      'local',
      'ebpf',
    );
    expect(screen.queryByLabelText('Namespace')).not.toBeInTheDocument();
    expect(screen.getByText(/≈ 10% of requests/)).toBeInTheDocument();
  });

  it('says so when the service has no workload on the cluster', async () => {
    const api = fakeTracingApi();
    await render(api);
    await userEvent.click(
      await screen.findByLabelText(/Native \(Prometheus\)/),
    );
    expect(
      await screen.findByText(
        /No Prometheus resource of this service on cluster local/,
      ),
    ).toBeInTheDocument();
    expect(api.listEntityWorkloads).toHaveBeenLastCalledWith(
      'component:default/checkout',
      'local',
      'prometheus',
    );
  });

  it('takes typed fields, marked, when the list cannot be read, and checks them as the backend does', async () => {
    const api = fakeTracingApi({
      // The limit is the backend's, not the app's config.
      getCapabilities: jest.fn(async () => ({
        approve: false,
        maxDurationMs: 7 * 86_400_000,
      })),
      listEntityWorkloads: jest.fn(async () => ({
        cluster: 'local',
        method: 'ebpf' as const,
        selector: 'backstage.io/kubernetes-id=checkout in any namespace',
        items: [],
        error: 'unreachable: connect ECONNREFUSED',
      })),
    });
    await render(api);
    expect(
      await screen.findByText(
        /Could not list this service's workloads on cluster local: unreachable/,
      ),
    ).toBeInTheDocument();
    // Prefilled from the entity's annotations.
    expect(screen.getByLabelText('Namespace')).toHaveValue('shop');
    expect(screen.getByLabelText('Name')).toHaveValue('checkout');
    fireEvent.change(screen.getByLabelText('Namespace'), {
      target: { value: 'Shop!' },
    });
    fireEvent.change(screen.getByLabelText('Duration in days'), {
      target: { value: '90' },
    });
    await userEvent.click(screen.getByRole('button', { name: 'Preview' }));
    expect(
      await screen.findByText(/must be a DNS-1123 label/),
    ).toBeInTheDocument();
    expect(
      screen.getByText('must be at most 7 days from now (tracing.maxDuration)'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('must be between 1 and 2000 characters'),
    ).toBeInTheDocument();
    expect(api.previewRequest).not.toHaveBeenCalled();
  });

  it('offers to extend or replace the live request of the workload', async () => {
    const LIVE_ID = '11111111-1111-4111-8111-111111111111';
    const live = aRequest({ id: LIVE_ID, status: 'active' });
    const api = fakeTracingApi({
      listRequests: jest.fn(async () => ({ items: [live] })),
      previewRequest: jest.fn(async () => ({ objects: [] })),
      extendRequest: jest.fn(async () =>
        aRequest({
          id: '22222222-2222-4222-8222-222222222222',
          supersedes: LIVE_ID,
        }),
      ),
    });
    await render(api);
    expect(
      await screen.findByText(/already has a live request \(active/),
    ).toBeInTheDocument();

    await userEvent.click(
      screen.getByRole('button', {
        name: 'Replace it with the settings below',
      }),
    );
    expect(screen.getByText(/This request replaces it/)).toBeInTheDocument();
    fireEvent.change(screen.getByLabelText('Reason'), {
      target: { value: 'more samples' },
    });
    await userEvent.click(screen.getByRole('button', { name: 'Preview' }));
    await waitFor(() =>
      expect(api.previewRequest).toHaveBeenCalledWith(
        expect.objectContaining({ supersedes: LIVE_ID }),
      ),
    );

    await userEvent.click(
      screen.getByRole('button', { name: 'Extend it to 7 days from now' }),
    );
    expect(await screen.findByText('Tracing requested')).toBeInTheDocument();
    expect(api.extendRequest).toHaveBeenCalledWith(LIVE_ID, {
      expiresAt: expect.any(String),
      reason: 'more samples',
    });
    expect(
      screen.getByText(/it replaces the live request/),
    ).toBeInTheDocument();
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
                  'cluster: is not a configured cluster (configured: local; ask a platform admin)',
                fields: [
                  {
                    field: 'cluster',
                    message:
                      'is not a configured cluster (configured: local; ask a platform admin)',
                  },
                ],
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
        workload: { kind: 'Deployment', name: 'checkout' },
        cluster: 'local',
      }),
    );
    await userEvent.click(
      screen.getByRole('button', { name: 'Submit request' }),
    );
    expect(
      await screen.findByText(
        'is not a configured cluster (configured: local; ask a platform admin)',
      ),
    ).toBeInTheDocument();
  });

  it('shows a 409 in words: which request holds the workload', async () => {
    const message =
      'Deployment shop/checkout on cluster local already has a live request: 11111111-1111-4111-8111-111111111111 (active).';
    const api = fakeTracingApi({
      previewRequest: jest.fn(async () => {
        throw await ResponseError.fromResponse(
          new Response(
            JSON.stringify({
              error: { name: 'ConflictError', message },
              response: { statusCode: 409 },
            }),
            { status: 409, headers: { 'Content-Type': 'application/json' } },
          ) as any,
        );
      }),
    });
    await render(api);
    fireEvent.change(await screen.findByLabelText('Reason'), {
      target: { value: 'p99 latency' },
    });
    await userEvent.click(screen.getByRole('button', { name: 'Preview' }));
    expect(
      await screen.findByText(`The request was not filed: ${message}`),
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
