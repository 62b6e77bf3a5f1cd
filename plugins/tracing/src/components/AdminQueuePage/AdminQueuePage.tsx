import {
  Content,
  EmptyState,
  ErrorPanel,
  Progress,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import { tracingRequestApprovePermission } from '@tracegate/plugin-tracing-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Checkbox from '@material-ui/core/Checkbox';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import MenuItem from '@material-ui/core/MenuItem';
import Paper from '@material-ui/core/Paper';
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
import { requestColumns } from '../requestColumns';

type Decision = { kind: 'approve' | 'reject'; requests: TracingRequest[] };

const RequestDetails = (props: {
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

const AdminQueue = () => {
  const tracingApi = useApi(tracingApiRef);
  const [status, setStatus] = useState<TracingRequestStatus | 'all'>('pending');
  const [cluster, setCluster] = useState('all');
  const [search, setSearch] = useState('');
  const [decision, setDecision] = useState<Decision>();
  const [actionError, setActionError] = useState<Error>();
  const [selected, setSelected] = useState<Set<string>>(new Set());

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

  const pendingRows = rows.filter(r => r.status === 'pending');
  const selectedRows = pendingRows.filter(r => selected.has(r.id));
  const toggle = (id: string) =>
    setSelected(current => {
      const next = new Set(current);
      if (!next.delete(id)) next.add(id);
      return next;
    });

  const columns: TableColumn<TracingRequest>[] = [
    {
      title: 'Select',
      render: r =>
        r.status === 'pending' ? (
          <Checkbox
            checked={selected.has(r.id)}
            onClick={event => event.stopPropagation()}
            onChange={() => toggle(r.id)}
            inputProps={{
              'aria-label': `Select ${r.entityRef} on ${r.cluster}`,
            }}
          />
        ) : null,
    },
    requestColumns.serviceName,
    requestColumns.status,
    requestColumns.cluster,
    requestColumns.workload,
    { title: 'Method', field: 'method' },
    requestColumns.sampling,
    { title: 'Requested by', field: 'requestedBy' },
    requestColumns.expires,
  ];

  return (
    <Content>
      <Box component={Paper} display="flex" gridGap={16} mb={2} p={2}>
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
      <Box mb={2}>
        <Button
          variant="contained"
          color="primary"
          disabled={selectedRows.length === 0}
          onClick={() =>
            setDecision({ kind: 'approve', requests: selectedRows })
          }
        >
          Approve selected ({selectedRows.length})
        </Button>
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
          // Sort labels in header cells nest buttons (axe: nested-interactive).
          columns={columns.map(c => ({ ...c, sorting: false }))}
          data={rows}
          options={{ paging: false, search: false }}
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
            setSelected(new Set());
            requests.retry();
          }}
        />
      )}
    </Content>
  );
};

/**
 * The platform admins' queue: pending requests first, each with its preview;
 * approve, reject with a comment, or approve several at once.
 *
 * @public
 */
export const AdminQueuePage = () => {
  const { loading, allowed } = usePermission({
    permission: tracingRequestApprovePermission,
  });
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
