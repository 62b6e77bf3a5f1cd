import { Content, Header, Page } from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import {
  Link as RouterLink,
  Route,
  Routes,
  useSearchParams,
} from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import { tracingApiRef } from '../../api';
import {
  approvalQueueRouteRef,
  newRequestRouteRef,
  rootRouteRef,
} from '../../routes';
import { AdminQueuePage } from '../AdminQueuePage';
import { useMayApprove } from '../useMayApprove';
import { MyRequests } from '../MyRequests';
import { RequestForm } from '../RequestForm';

const NewRequest = () => {
  const [params] = useSearchParams();
  return <RequestForm entityRef={params.get('entityRef') ?? undefined} />;
};

/**
 * `/tracing`: my requests, `/tracing/new`: the request form,
 * `/tracing/admin`: the approval queue.
 *
 * @public
 */
export const TracingPage = () => {
  const tracingApi = useApi(tracingApiRef);
  const health = useAsync(() => tracingApi.getHealth(), [tracingApi]);
  const { allowed: isApprover } = useMayApprove();
  const myRequestsLink = useRouteRef(rootRouteRef);
  const newRequestLink = useRouteRef(newRequestRouteRef);
  const approvalQueueLink = useRouteRef(approvalQueueRouteRef);

  return (
    <Page themeId="tool">
      <Header
        title="Tracing"
        subtitle="Self-service distributed tracing with Grafana Beyla, Prometheus and Tempo"
      />
      <Content>
        <Box display="flex" gridGap={8} mb={2} alignItems="center">
          <Button
            component={RouterLink}
            to={myRequestsLink?.() ?? '.'}
            variant="text"
          >
            My requests
          </Button>
          <Button
            component={RouterLink}
            to={newRequestLink?.() ?? 'new'}
            variant="text"
          >
            New request
          </Button>
          {isApprover && (
            <Button
              component={RouterLink}
              to={approvalQueueLink?.() ?? 'admin'}
              variant="text"
            >
              Approval queue
            </Button>
          )}
          <Box flexGrow={1} />
          <Typography
            variant="body2"
            color={health.error ? 'error' : 'textPrimary'}
          >
            {health.error
              ? `Could not reach the tracing backend: ${health.error.message}`
              : `Tracing backend: ${health.value?.status ?? '…'}`}
          </Typography>
        </Box>
        <Routes>
          <Route path="/" element={<MyRequests />} />
          <Route path={newRequestRouteRef.path} element={<NewRequest />} />
          <Route
            path={approvalQueueRouteRef.path}
            element={<AdminQueuePage />}
          />
        </Routes>
      </Content>
    </Page>
  );
};
