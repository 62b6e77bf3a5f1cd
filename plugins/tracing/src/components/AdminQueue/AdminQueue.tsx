import {
  Content,
  ErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Checkbox from '@material-ui/core/Checkbox';
import MenuItem from '@material-ui/core/MenuItem';
import Paper from '@material-ui/core/Paper';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import {
  TRACING_REQUEST_STATUSES,
  TracingRequest,
  TracingRequestStatus,
} from '@tracegate/plugin-tracing-common';
import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import { tracingApiRef } from '../../api';
import { Decision, DecisionDialog } from '../DecisionDialog';
import { RequestDetails } from '../RequestDetails';
import { LoadMore } from '../LoadMore';
import { compactColumns, requestColumns } from '../requestColumns';
import { usePagedRequests } from '../usePagedRequests';

/** `value`, once it has not changed for `ms`. */
function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

const VISUALLY_HIDDEN = {
  position: 'absolute',
  width: 1,
  height: 1,
  overflow: 'hidden',
  clip: 'rect(0 0 0 0)',
  whiteSpace: 'nowrap',
} as const;

/** The queue's table, filters and bulk decisions. */
export const AdminQueue = () => {
  const tracingApi = useApi(tracingApiRef);
  const [status, setStatus] = useState<TracingRequestStatus | 'all'>('pending');
  const [cluster, setCluster] = useState('all');
  // A notification links here with ?q= naming its request's target.
  const [searchParams] = useSearchParams();
  const [search, setSearch] = useState(searchParams.get('q') ?? '');
  const [decision, setDecision] = useState<Decision>();
  const [actionError, setActionError] = useState<Error>();
  const [selected, setSelected] = useState<Set<string>>(new Set());

  const clusters = useAsync(() => tracingApi.listClusters(), [tracingApi]);
  const query = useDebounced(search.trim(), 300);
  const requests = usePagedRequests({
    status: status === 'all' ? undefined : [status],
    cluster: cluster === 'all' ? undefined : cluster,
    q: query || undefined,
  });

  // Pending first, then newest first (the API's order).
  const rows = [...requests.items].sort(
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
      // Named for screen readers; the checkboxes say what they select.
      title: <span style={VISUALLY_HIDDEN}>Select</span>,
      width: '40px',
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
    requestColumns.target,
    requestColumns.methodAndSampling,
    requestColumns.requestedBy,
    requestColumns.filed,
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
          label="Search"
          placeholder="service, workload, requester, reason"
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
        <>
          <Table<TracingRequest>
            title="Tracing requests"
            isLoading={requests.loading}
            // Sort labels in header cells nest buttons (axe: nested-interactive).
            columns={compactColumns(columns)}
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
          <LoadMore
            shown={rows.length}
            hasMore={requests.hasMore}
            loading={requests.loading}
            onLoadMore={requests.loadMore}
          />
        </>
      )}
      {decision && (
        <DecisionDialog
          decision={decision}
          onClose={() => setDecision(undefined)}
          onDone={error => {
            setActionError(error);
            setDecision(undefined);
            setSelected(new Set());
            requests.reload();
          }}
        />
      )}
    </Content>
  );
};
