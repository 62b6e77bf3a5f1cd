import { Link, Progress, WarningPanel } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import ErrorOutlineIcon from '@material-ui/icons/ErrorOutline';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import {
  describeTraceArrival,
  relativeTime,
  TraceArrival,
  TraceLookup,
  TracingRequest,
} from '@tracegate/plugin-tracing-common';
import { useEffect, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { tracingApiRef } from '../../api';

/** How often the list is asked again while the request is active. */
const REFRESH_MS = 15_000;

/** Re-renders every few seconds, so "12 s ago" stays true. */
function useNow(intervalMs = 5_000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

/** `k8s.namespace.name=shop, k8s.deployment.name=cart`. */
function describeLookup(lookup: TraceLookup): string {
  return lookup.resource.map(r => `${r.attribute}=${r.value}`).join(', ');
}

function formatDuration(ms: number): string {
  if (ms < 1) return `${Math.round(ms * 1000)} µs`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/**
 * "Traces arriving": what the backend's scheduled check last found in the
 * trace store, and when none has come, the reasons it could check.
 *
 * @public
 */
export const TraceArrivalLine = (props: { traces?: TraceArrival }) => {
  const now = useNow();
  const { traces } = props;
  return (
    <Box>
      <Typography variant="body2">
        {describeTraceArrival(traces, now)}
        {traces && ` · checked ${relativeTime(traces.checkedAt, now)}`}
      </Typography>
      {traces?.reasons?.length ? (
        <Box component="ul" aria-label="Why no traces" mt={0} mb={0}>
          {traces.reasons.map(reason => (
            <li key={reason}>
              <Typography variant="body2">{reason}</Typography>
            </li>
          ))}
        </Box>
      ) : null}
    </Box>
  );
};

/**
 * The last hour's traces of an active request's target, newest first, each
 * linking to the trace in Grafana Explore or the Jaeger UI. A store that
 * does not answer is a warning here; the rest of the tab is unaffected.
 *
 * @public
 */
export const RecentTraces = (props: { request: TracingRequest }) => {
  const { request } = props;
  const tracingApi = useApi(tracingApiRef);
  const now = useNow();
  const traces = useAsyncRetry(
    () => tracingApi.getRecentTraces(request.id),
    [tracingApi, request.id],
  );
  const { retry } = traces;
  const live = request.status === 'active';
  useEffect(() => {
    if (!live) return undefined;
    const timer = setInterval(retry, REFRESH_MS);
    return () => clearInterval(timer);
  }, [live, retry]);

  const answer = traces.value;
  let body;
  if (!answer && traces.loading) {
    body = <Progress aria-label="Loading recent traces" />;
  } else if (traces.error) {
    body = (
      <WarningPanel
        severity="error"
        title="Could not load recent traces"
        message={traces.error.message}
      />
    );
  } else if (answer?.error) {
    body = (
      <WarningPanel
        severity="warning"
        title="The trace store could not be asked"
        message={answer.error}
      />
    );
  } else if (answer && answer.items.length === 0) {
    body = (
      <Typography variant="body2" color="textSecondary">
        No traces with {describeLookup(answer.lookup)} in the last hour.
      </Typography>
    );
  } else if (answer) {
    body = (
      <Table size="small" aria-label="Recent traces">
        <TableHead>
          <TableRow>
            <TableCell>Started</TableCell>
            <TableCell>Root span</TableCell>
            <TableCell align="right">Duration</TableCell>
            <TableCell>Result</TableCell>
            <TableCell>Trace</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {answer.items.map(trace => (
            <TableRow key={trace.traceId}>
              <TableCell>
                <Tooltip title={new Date(trace.startTime).toLocaleString()}>
                  <span>{relativeTime(trace.startTime, now)}</span>
                </Tooltip>
              </TableCell>
              <TableCell>
                {trace.rootServiceName}: {trace.rootSpanName}
              </TableCell>
              <TableCell align="right">
                {formatDuration(trace.durationMs)}
              </TableCell>
              <TableCell>
                {trace.error === undefined ? (
                  'unknown'
                ) : (
                  <Chip
                    size="small"
                    variant={trace.error ? 'default' : 'outlined'}
                    // Text in the default colours (contrast); the icon marks it.
                    icon={trace.error ? <ErrorOutlineIcon /> : undefined}
                    label={trace.error ? 'error' : 'ok'}
                  />
                )}
              </TableCell>
              <TableCell>
                {trace.url ? (
                  <Link to={trace.url} target="_blank" rel="noopener">
                    {trace.traceId.slice(0, 8)}…
                  </Link>
                ) : (
                  <Tooltip title="No trace UI is configured for this cluster (tempo.grafanaUrl or traces.uiUrl)">
                    <span>{trace.traceId.slice(0, 8)}…</span>
                  </Tooltip>
                )}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    );
  }

  return (
    <Box mt={2} aria-label="Recent traces section" component="section">
      <Typography variant="subtitle2">
        Recent traces
        {answer?.store ? ` (${answer.store}, last hour)` : ''}
      </Typography>
      {body}
      {answer && (
        <Typography
          variant="caption"
          color="textSecondary"
          display="block"
          aria-label="How traces are found"
        >
          Found by {describeLookup(answer.lookup)}
          {answer.store === 'jaeger'
            ? `, asking Jaeger for service ${answer.lookup.serviceNames.join(
                ', ',
              )}`
            : ''}
        </Typography>
      )}
      {answer?.note && (
        <Typography variant="caption" color="textSecondary">
          {answer.note}
        </Typography>
      )}
    </Box>
  );
};
