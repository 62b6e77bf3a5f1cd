import {
  EmptyState,
  ErrorPanel,
  InfoCard,
  Progress,
} from '@backstage/core-components';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import {
  describeCommit,
  describeRollout,
  describeTargetCheck,
  canTransition,
  holdsTarget,
  LiveObjectState,
  TracingRequest,
  relativeTime,
  tracingRequestRevokePermission,
} from '@tracegate/plugin-tracing-common';
import { useEffect, useState } from 'react';
import { Link as RouterLink } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { tracingApiRef } from '../../api';
import { newRequestRouteRef } from '../../routes';
import { BeylaNamingLine } from '../BeylaNamingLine';
import { CancelRequestButton } from '../CancelRequestButton';
import { ExtendDialog } from '../ExtendDialog';
import { RecentTraces, TraceArrivalLine } from '../RecentTraces';
import { StatusBadge } from '../StatusBadge';
import { useMaxDurationMs } from '../useMaxDurationMs';

/** How often to look again while a request is on its way to active. */
const POLL_MS = { approved: 2_000, pending: 10_000, active: 30_000 } as const;

/**
 * What `active` was checked against, and what not: said where it is shown
 * (README: "What `active` means").
 */
const ACTIVE_CHECKED = {
  ebpf: "Checked: Beyla's pods run this config and are ready on every node (the rollout finished). Whether Beyla instruments this workload shows in whether its traces reach the trace store, checked every few minutes (below). Not checked here: that Beyla accepts the config. Tracegate's tests load its configs in Beyla's own code (its config loader and discovery, for 3.33.0 and 2.5.1); no Beyla process ran them.",
  prometheus:
    'Checked: the Prometheus resource carries this tracingConfig. Whether its traces reach the trace store is checked every few minutes (below).',
} as const;

/** What "on the cluster" means for a request delivered through git. */
const GIT_CHECKED =
  "Checked: the API server holds each of this request's objects as committed, read back by Tracegate, which writes nothing to this cluster. Not checked: which tool applied them, or that it keeps them.";

const RequestCard = (props: {
  request: TracingRequest;
  objects: LiveObjectState[];
  mayExtend: boolean;
  onChange: () => void;
}) => {
  const { request, objects, mayExtend, onChange } = props;
  const tracingApi = useApi(tracingApiRef);
  const { maxDurationMs } = useMaxDurationMs();
  const [extending, setExtending] = useState(false);
  const revokable = canTransition(request.status, 'revoke');
  const { allowed: mayRevoke } = usePermission({
    permission: tracingRequestRevokePermission,
    resourceRef: request.id,
  });
  const history = useAsync(
    () => tracingApi.getRequest(request.id),
    [tracingApi, request.id, request.status],
  );
  const [error, setError] = useState<Error>();

  const revoke = async () => {
    try {
      await tracingApi.decide(request.id, 'revoke', {
        comment: 'revoked from the entity page',
      });
      onChange();
    } catch (e) {
      setError(e as Error);
    }
  };

  return (
    <InfoCard
      title={
        <Box display="flex" gridGap={12} alignItems="center">
          <span>
            {request.workload.kind} {request.namespace}/{request.workload.name}
          </span>
          <StatusBadge status={request.status} lastApply={request.lastApply} />
        </Box>
      }
      subheader={`${
        request.method === 'ebpf' ? 'eBPF (Beyla)' : 'Prometheus tracingConfig'
      } on ${request.cluster}`}
    >
      <Typography variant="body2">
        Sampler {request.sampling.sampler}, ratio {request.sampling.ratio} ·
        expires {relativeTime(request.expiresAt)}
        {request.lastApply &&
          ` · last ${
            request.lastApply.commit ? 'committed' : 'applied'
          } ${relativeTime(request.lastApply.at)}`}
      </Typography>
      {request.lastApply?.commit && (
        <Typography variant="body2">
          Git: {describeCommit(request.lastApply.commit)}
        </Typography>
      )}
      {request.lastApply?.commit?.onCluster && (
        <Typography variant="body2" color="textSecondary">
          {GIT_CHECKED}
        </Typography>
      )}
      {request.lastApply?.rollout && (
        <Typography variant="body2">
          Beyla: {describeRollout(request.lastApply.rollout)}
        </Typography>
      )}
      {request.status === 'active' && (
        <Typography variant="body2" color="textSecondary">
          {ACTIVE_CHECKED[request.method]}
        </Typography>
      )}
      <BeylaNamingLine naming={request.targetCheck?.beyla} />
      {request.status === 'active' && (
        <TraceArrivalLine traces={request.traces} />
      )}
      {request.lastApply?.error && (
        <Typography color="error" variant="body2">
          Apply failed: {request.lastApply.error}
        </Typography>
      )}
      <Typography variant="body2" color="textSecondary">
        Requested by {request.requestedBy}: {request.reason}
      </Typography>
      <Typography variant="body2" color="textSecondary">
        {describeTargetCheck(request.targetCheck)}
        {request.targetCheck?.message
          ? ` (${request.targetCheck.message})`
          : ''}
        {request.supersedes
          ? ` · replaces request ${request.supersedes} once approved`
          : ''}
      </Typography>
      {objects.length > 0 && (
        <List dense aria-label="Live objects">
          {objects.map(o => (
            <ListItem key={`${o.kind}/${o.name}`}>
              <ListItemText
                primary={`${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${
                  o.name
                }: ${o.present ? 'present' : 'missing'}`}
                secondary={o.detail}
              />
            </ListItem>
          ))}
        </List>
      )}
      {history.value && (
        <List dense aria-label="History">
          {history.value.history.map((h, i) => (
            <ListItem key={i}>
              <ListItemText
                primary={`${h.from ?? 'new'} → ${h.to} by ${h.actor}`}
                secondary={`${new Date(h.at).toLocaleString()}${
                  h.comment ? ` · ${h.comment}` : ''
                }`}
              />
            </ListItem>
          ))}
        </List>
      )}
      {request.status === 'active' && <RecentTraces request={request} />}
      {error && <ErrorPanel title="Could not revoke" error={error} />}
      <Box display="flex" gridGap={8}>
        {mayExtend && holdsTarget(request) && (
          <Button variant="outlined" onClick={() => setExtending(true)}>
            Extend
          </Button>
        )}
        <CancelRequestButton request={request} onDone={onChange} />
        {revokable && mayRevoke && (
          <Button variant="outlined" color="secondary" onClick={revoke}>
            Revoke
          </Button>
        )}
      </Box>
      {extending && maxDurationMs !== undefined && (
        <ExtendDialog
          request={request}
          maxDurationMs={maxDurationMs}
          onClose={() => setExtending(false)}
          onDone={() => {
            setExtending(false);
            onChange();
          }}
        />
      )}
    </InfoCard>
  );
};

/**
 * The "Tracing" tab of a service: its requests, their live objects, history,
 * and the way to its traces.
 *
 * @public
 */
export const EntityTracingContent = () => {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const tracingApi = useApi(tracingApiRef);
  const status = useAsyncRetry(
    () => tracingApi.getEntityStatus(entityRef),
    [tracingApi, entityRef],
  );
  const newRequestLink = useRouteRef(newRequestRouteRef);
  // The backend asks the permission policy (a custom one included).
  const capabilities = useAsync(
    () => tracingApi.getEntityCapabilities(entityRef),
    [tracingApi, entityRef],
  );

  const statuses = status.value?.requests.map(r => r.status) ?? [];
  let pollMs: number | undefined;
  if (statuses.includes('approved')) pollMs = POLL_MS.approved;
  else if (statuses.includes('pending')) pollMs = POLL_MS.pending;
  else if (statuses.includes('active')) pollMs = POLL_MS.active;
  const { retry } = status;
  useEffect(() => {
    if (!pollMs) return undefined;
    const timer = setInterval(retry, pollMs);
    return () => clearInterval(timer);
  }, [pollMs, retry]);

  if (!status.value && status.loading) return <Progress />;
  if (status.error)
    return (
      <ErrorPanel
        title="Could not load the tracing state"
        error={status.error}
      />
    );

  const mayRequest = capabilities.value?.request === true;
  // Absent when the app has not mounted the Tracing page.
  const newHref =
    newRequestLink &&
    `${newRequestLink()}?entityRef=${encodeURIComponent(entityRef)}`;
  const { requests, objects, grafanaExploreUrl } = status.value!;

  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <Box display="flex" gridGap={8} alignItems="center">
          {mayRequest && newHref && (
            <Button
              variant="contained"
              color="primary"
              component={RouterLink}
              to={newHref}
            >
              Request tracing
            </Button>
          )}
          {grafanaExploreUrl && requests.some(r => r.status === 'active') && (
            <Button
              variant="outlined"
              href={grafanaExploreUrl}
              target="_blank"
              rel="noopener"
            >
              Open traces in Grafana
            </Button>
          )}
        </Box>
      </Grid>
      {requests.length === 0 && (
        <Grid item xs={12}>
          <EmptyState
            missing="data"
            title="No tracing requests yet"
            description="Ask for traces of this service; a platform admin approves, and Tracegate configures the cluster."
          />
        </Grid>
      )}
      {requests.map(request => (
        <Grid item xs={12} key={request.id}>
          <RequestCard
            request={request}
            objects={objects.filter(o => o.requestId === request.id)}
            mayExtend={mayRequest}
            onChange={retry}
          />
        </Grid>
      ))}
    </Grid>
  );
};
