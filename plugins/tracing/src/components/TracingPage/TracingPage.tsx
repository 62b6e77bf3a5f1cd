import { ErrorPanel, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { Container, Text } from '@backstage/ui';
import useAsync from 'react-use/esm/useAsync';
import { tracingApiRef } from '../../api';

/**
 * The `/tracing` page.
 *
 * @internal
 */
export const TracingPage = () => {
  const tracingApi = useApi(tracingApiRef);
  const health = useAsync(() => tracingApi.getHealth(), [tracingApi]);

  return (
    <Container>
      <Text as="p">
        Ask for distributed traces of your services: Tracegate applies the
        Grafana Beyla, Prometheus and Tempo configuration once a platform admin
        approves, and removes it when the request ends.
      </Text>
      {health.loading && <Progress />}
      {health.error && (
        <ErrorPanel
          title="Could not reach the tracing backend"
          error={health.error}
        />
      )}
      {health.value && (
        <Text as="p" variant="body-small">
          Tracing backend: {health.value.status}
        </Text>
      )}
    </Container>
  );
};
