import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import {
  describeTargetCheck,
  TracingRequest,
} from '@tracegate/plugin-tracing-common';
import useAsync from 'react-use/esm/useAsync';
import { tracingApiRef } from '../../api';
import { PreviewCard } from '../PreviewCard';

/** A queue row opened: the request's details, decisions and preview. */
export const RequestDetails = (props: {
  request: TracingRequest;
  onDecide: (kind: 'approve' | 'reject') => void;
}) => {
  const { request, onDecide } = props;
  const tracingApi = useApi(tracingApiRef);
  const pending = request.status === 'pending';
  const preview = useAsync(
    async () =>
      pending ? tracingApi.getRequestPreview(request.id) : undefined,
    [tracingApi, request.id, pending],
  );

  return (
    <Box p={2}>
      <Typography variant="body2">Reason: {request.reason}</Typography>
      {request.supersedes && (
        <Typography variant="body2">
          Replaces request {request.supersedes}: approving ends it.
        </Typography>
      )}
      <Typography variant="body2">
        When filed: {describeTargetCheck(request.targetCheck)}
        {request.targetCheck?.message
          ? ` (${request.targetCheck.message})`
          : ''}
      </Typography>
      {preview.value?.targetCheck && (
        <Typography
          variant="body2"
          color={
            preview.value.targetCheck.result === 'not-found' ||
            preview.value.targetCheck.owned === false
              ? 'error'
              : 'textPrimary'
          }
        >
          Now: {describeTargetCheck(preview.value.targetCheck)}
          {preview.value.targetCheck.message
            ? ` (${preview.value.targetCheck.message})`
            : ''}
        </Typography>
      )}
      {request.openPorts && (
        <Typography variant="body2">Open ports: {request.openPorts}</Typography>
      )}
      {request.decision && (
        <Typography variant="body2">
          Decided by {request.decision.by}
          {request.decision.comment ? `: ${request.decision.comment}` : ''}
        </Typography>
      )}
      {request.lastApply?.error && (
        <Typography variant="body2" color="error">
          Apply failed: {request.lastApply.error}
        </Typography>
      )}
      {pending && (
        <Box my={1} display="flex" gridGap={8}>
          <Button
            variant="contained"
            color="primary"
            onClick={() => onDecide('approve')}
          >
            Approve
          </Button>
          <Button variant="outlined" onClick={() => onDecide('reject')}>
            Reject
          </Button>
        </Box>
      )}
      {preview.loading && <Progress />}
      {preview.error && (
        <Typography color="textSecondary">
          Preview unavailable: {preview.error.message}
        </Typography>
      )}
      {preview.value && <PreviewCard preview={preview.value} />}
    </Box>
  );
};
