import {
  Content,
  EmptyState,
  ErrorPanel,
  Progress,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { useApproverPermission } from '../../hooks/useApproverPermission';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import {
  TRACING_REQUEST_STATUSES,
  TracingRequest,
  TracingRequestStatus,
  VALIDATION_MESSAGES,
} from '@tracegate/plugin-tracing-common';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { tracingApiRef } from '../../api';
import { PreviewCard } from '../RequestForm';
import { StatusBadge } from '../StatusBadge';

type Decision = { kind: 'approve' | 'reject'; requests: TracingRequest[] };

/**
 * The platform admins' queue: pending requests first, each with its preview;
 * approve, reject with a comment, or approve several at once.
 *
 * @public
 */
export const AdminQueuePage = () => {
  const { loading, allowed } = useApproverPermission();
  if (loading) return <Progress />;
  if (!allowed) {
    return (
      <Content>
        <EmptyState
          missing="info"
          title="Only platform admins review tracing requests"
          description="You may not approve or reject tracing requests."
        />
      </Content>
    );
  }
  return <AdminQueue />;
};

const AdminQueue = () => {
  const tracingApi = useApi(tracingApiRef);
  const [status, setStatus] = useState<TracingRequestStatus | 'all'>('pending');
  const [cluster, setCluster] = useState('all');
  const [search, setSearch] = useState('');
  const [decision, setDecision] = useState<Decision>();
  const [actionError, setActionError] = useState<Error>();

  const clusters = useAsync(() => tracingApi.listClusters(), [tracingApi]);
  const requests = useAsyncRetry(
    () =>
      tracingApi.listRequests({
        status: status === 'all' ? undefined : [status],
        cluster: cluster === 'all' ? undefined : cluster,
        limit: 100,
      }),
    [tracingApi, status, cluster],
  );

  const rows = (requests.value?.items ?? [])
    .filter(r => r.entityRef.includes(search.trim().toLocaleLowerCase('en-US')))
    // Pending first, then newest first (the API's order).
    .sort(
      (a, b) => Number(b.status === 'pending') - Number(a.status === 'pending'),
    );

  const columns: TableColumn<TracingRequest>[] = [
    {
      title: 'Service',
      field: 'entityRef',
      render: r => r.entityRef.replace(/^component:default\//, ''),
    },
    {
      title: 'Status',
      field: 'status',
      render: r => <StatusBadge status={r.status} />,
    },
    { title: 'Cluster', field: 'cluster' },
    {
      title: 'Workload',
      render: r => `${r.workload.kind} ${r.namespace}/${r.workload.name}`,
    },
    { title: 'Method', field: 'method' },
    {
      title: 'Sampling',
      render: r => `${r.sampling.sampler} ${r.sampling.ratio}`,
    },
    { title: 'Requested by', field: 'requestedBy' },
    {
      title: 'Expires',
      render: r => new Date(r.expiresAt).toLocaleDateString(),
    },
  ];

  return (
    <Content>
      <Box display="flex" gridGap={16} mb={2}>
        <TextField
          select
          id="queue-status"
          label="Status"
          value={status}
          onChange={e => setStatus(e.target.value as TracingRequestStatus)}
        >
          <MenuItem value="all">all</MenuItem>
          {TRACING_REQUEST_STATUSES.map(s => (
            <MenuItem key={s} value={s}>
              {s}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          select
          id="queue-cluster"
          label="Cluster"
          value={cluster}
          onChange={e => setCluster(e.target.value)}
        >
          <MenuItem value="all">all</MenuItem>
          {(clusters.value ?? []).map(c => (
            <MenuItem key={c.name} value={c.name}>
              {c.name}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          id="queue-search"
          label="Search by service"
          value={search}
          onChange={e => setSearch(e.target.value)}
        />
      </Box>
      {actionError && (
        <ErrorPanel title="The decision was not recorded" error={actionError} />
      )}
      {requests.error ? (
        <ErrorPanel
          title="Could not load the requests"
          error={requests.error}
        />
      ) : (
        <Table<TracingRequest>
          title="Tracing requests"
          isLoading={requests.loading}
          columns={columns}
          data={rows}
          options={{
            selection: status === 'pending',
            paging: false,
            search: false,
          }}
          actions={[
            {
              tooltip: 'Approve the selected requests',
              icon: () => (
                <Typography variant="button">Approve selected</Typography>
              ),
              onClick: (_, data) =>
                setDecision({
                  kind: 'approve',
                  requests: ([] as TracingRequest[]).concat(data),
                }),
            },
          ]}
          emptyContent={
            <Box p={4}>
              <Typography>
                No requests{status === 'all' ? '' : ` in ${status}`}.
              </Typography>
            </Box>
          }
          onRowClick={(_event, _row, togglePanel) => togglePanel?.()}
          detailPanel={({ rowData }) => (
            <RequestDetails
              request={rowData}
              onDecide={kind => setDecision({ kind, requests: [rowData] })}
            />
          )}
        />
      )}
      {decision && (
        <DecisionDialog
          decision={decision}
          onClose={() => setDecision(undefined)}
          onDone={error => {
            setActionError(error);
            setDecision(undefined);
            requests.retry();
          }}
        />
      )}
    </Content>
  );
};

const RequestDetails = (props: {
  request: TracingRequest;
  onDecide: (kind: 'approve' | 'reject') => void;
}) => {
  const { request, onDecide } = props;
  const tracingApi = useApi(tracingApiRef);
  const pending = request.status === 'pending';
  const preview = useAsync(async () => {
    if (!pending) return undefined;
    const {
      entityRef,
      cluster,
      namespace,
      workload,
      podLabels,
      openPorts,
      method,
      sampling,
      expiresAt,
      reason,
    } = request;
    return tracingApi.previewRequest({
      entityRef,
      cluster,
      namespace,
      workload,
      podLabels,
      openPorts,
      method,
      sampling,
      expiresAt,
      reason,
    });
  }, [tracingApi, request]);

  return (
    <Box p={2}>
      <Typography variant="body2">Reason: {request.reason}</Typography>
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

const DecisionDialog = (props: {
  decision: Decision;
  onClose: () => void;
  onDone: (error?: Error) => void;
}) => {
  const { decision, onClose, onDone } = props;
  const tracingApi = useApi(tracingApiRef);
  const [comment, setComment] = useState('');
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const commentMissing = decision.kind === 'reject' && !comment.trim();
  const count = decision.requests.length;
  const title = `${decision.kind === 'approve' ? 'Approve' : 'Reject'} ${
    count === 1 ? 'this request' : `${count} requests`
  }`;

  const submit = async () => {
    setTouched(true);
    if (commentMissing) return;
    setBusy(true);
    const failures: string[] = [];
    for (const request of decision.requests) {
      try {
        await tracingApi.decide(
          request.id,
          decision.kind,
          comment.trim() ? { comment: comment.trim() } : {},
        );
      } catch (error) {
        failures.push(`${request.entityRef}: ${(error as Error).message}`);
      }
    }
    setBusy(false);
    onDone(failures.length ? new Error(failures.join('; ')) : undefined);
  };

  return (
    <Dialog open onClose={onClose} aria-labelledby="decision-title" fullWidth>
      <DialogTitle id="decision-title">{title}</DialogTitle>
      <DialogContent>
        <TextField
          autoFocus
          id="decision-comment"
          fullWidth
          multiline
          minRows={2}
          label={
            decision.kind === 'reject'
              ? 'Comment (required)'
              : 'Comment (optional)'
          }
          value={comment}
          onChange={e => setComment(e.target.value)}
          error={touched && commentMissing}
          helperText={
            touched && commentMissing
              ? `Comment ${VALIDATION_MESSAGES.rejectComment}`
              : undefined
          }
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          disabled={busy}
          onClick={submit}
        >
          {decision.kind === 'approve' ? 'Approve' : 'Reject'}
        </Button>
      </DialogActions>
    </Dialog>
  );
};
