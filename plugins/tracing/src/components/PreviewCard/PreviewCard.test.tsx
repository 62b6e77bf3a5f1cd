import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen } from '@testing-library/react';
import { PreviewCard } from './PreviewCard';

describe('PreviewCard', () => {
  it('says when a rule will approve the request at once', async () => {
    await renderInTestApp(
      <PreviewCard
        preview={{ objects: [], diff: '', autoApproval: { rule: 'dev-low' } }}
      />,
    );
    expect(screen.getByRole('status')).toHaveTextContent(
      'Will be approved automatically by rule dev-low (tracing.autoApprove) when you submit it',
    );
  });

  it('says nothing of rules otherwise', async () => {
    await renderInTestApp(<PreviewCard preview={{ objects: [], diff: '' }} />);
    expect(screen.queryByRole('status')).not.toBeInTheDocument();
  });

  it('shows the name Beyla will give the target, and an identity the pods override', async () => {
    await renderInTestApp(
      <PreviewCard
        preview={{
          objects: [],
          diff: '',
          targetCheck: {
            result: 'verified',
            owned: true,
            at: '2026-12-01T00:00:00.000Z',
            beyla: {
              from: 'the pod template of Deployment shop/cart, Beyla 3.33.0',
              names: [
                {
                  container: 'cart',
                  name: 'shop-cart',
                  nameSource: 'label app.kubernetes.io/instance',
                  namespace: 'shop',
                  namespaceSource: 'the Kubernetes namespace',
                },
              ],
              overrides: [
                'k8s.deployment.name=etl (annotation resource.opentelemetry.io/k8s.deployment.name)',
              ],
            },
          },
        }}
      />,
    );
    const line = screen.getByLabelText("Beyla's name for it");
    expect(line).toHaveTextContent(
      "Beyla will name it `shop-cart` (label app.kubernetes.io/instance) (from the pod template of Deployment shop/cart, Beyla 3.33.0; Beyla's naming rules as its code has them, not a running Beyla)",
    );
    expect(line).toHaveTextContent(
      "Its pods set k8s.deployment.name=etl (annotation resource.opentelemetry.io/k8s.deployment.name) themselves: their spans do not carry this target's identity",
    );
  });

  it('names each container when they differ', async () => {
    await renderInTestApp(
      <PreviewCard
        preview={{
          objects: [],
          targetCheck: {
            result: 'verified',
            at: '2026-12-01T00:00:00.000Z',
            beyla: {
              from: 'the pod template of Deployment shop/gateway, Beyla 3.33.0',
              names: [
                {
                  container: 'gateway',
                  name: 'edge-gateway',
                  nameSource: 'OTEL_SERVICE_NAME of container gateway',
                  namespace: 'shop',
                  namespaceSource: 'the Kubernetes namespace',
                },
                {
                  container: 'envoy',
                  name: 'edge-gateway',
                  nameSource: 'OTEL_SERVICE_NAME of container gateway',
                  namespace: 'shop',
                  namespaceSource: 'the Kubernetes namespace',
                },
              ],
            },
          },
        }}
      />,
    );
    expect(screen.getByLabelText("Beyla's name for it")).toHaveTextContent(
      'Beyla will name it `edge-gateway` (OTEL_SERVICE_NAME of container gateway)',
    );
  });
});
