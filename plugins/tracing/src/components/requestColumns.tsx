import { parseEntityRef } from '@backstage/catalog-model';
import { TableColumn } from '@backstage/core-components';
import {
  EntityRefLink,
  humanizeEntityRef,
} from '@backstage/plugin-catalog-react';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import {
  describeTargetCheck,
  describeTraceArrival,
  shortTargetCheck,
  TracingRequest,
} from '@tracegate/plugin-tracing-common';
import { OneLine, RelativeTime } from './Readable';
import { StatusBadge } from './StatusBadge';

type Column = TableColumn<TracingRequest>;

const shortRef = (r: TracingRequest) =>
  humanizeEntityRef(parseEntityRef(r.entityRef), {
    defaultKind: 'component',
  });

/** Cells whose words must never break in the middle. */
const NO_WRAP = { whiteSpace: 'nowrap' } as const;

/** Table columns shared by the request lists: one line per value. */
export const requestColumns = {
  /** The service as text, for tables whose rows open on click. */
  serviceName: {
    title: 'Service',
    field: 'entityRef',
    render: r => <OneLine text={shortRef(r)} maxWidth={200} />,
  },
  /** The service as a link to its catalog page. */
  service: {
    title: 'Service',
    field: 'entityRef',
    cellStyle: NO_WRAP,
    render: r => (
      <EntityRefLink entityRef={r.entityRef} defaultKind="component" />
    ),
  },
  status: {
    title: 'Status',
    field: 'status',
    cellStyle: NO_WRAP,
    render: r => (
      <>
        <StatusBadge status={r.status} lastApply={r.lastApply} />
        {r.status === 'active' && (
          <Tooltip title={r.traces?.reasons?.join('; ') ?? ''}>
            <Typography variant="caption" display="block">
              {describeTraceArrival(r.traces)}
            </Typography>
          </Tooltip>
        )}
      </>
    ),
  },
  cluster: {
    title: 'Cluster',
    field: 'cluster',
    render: r => <OneLine text={r.cluster} maxWidth={140} />,
  },
  /** `namespace/name`; the kind on hover (and in the details). */
  workload: {
    title: 'Workload',
    render: r => (
      <OneLine
        text={`${r.workload.kind} ${r.namespace}/${r.workload.name}`}
        maxWidth={240}
      >
        {r.namespace}/{r.workload.name}
      </OneLine>
    ),
  },
  /** Whether the target exists and is the entity's own, as last checked. */
  target: {
    title: 'Target',
    render: r => {
      const text = describeTargetCheck(r.targetCheck);
      const message = r.targetCheck?.message;
      return (
        <OneLine text={message ? `${text}: ${message}` : text} maxWidth={140}>
          {shortTargetCheck(r.targetCheck)}
        </OneLine>
      );
    },
  },
  sampling: {
    title: 'Sampling',
    render: r => (
      <OneLine
        text={`${r.sampling.sampler} ${r.sampling.ratio}`}
        maxWidth={200}
      />
    ),
  },
  /** Method and ratio in a few characters, the sampler's name on hover. */
  methodAndSampling: {
    title: 'Sampling',
    render: r => (
      <OneLine
        text={`${r.method === 'ebpf' ? 'eBPF (Beyla)' : 'Prometheus'}, ${
          r.sampling.sampler
        } ${r.sampling.ratio}`}
      >
        {r.method} · {r.sampling.ratio}
      </OneLine>
    ),
  },
  requestedBy: {
    title: 'Requested by',
    field: 'requestedBy',
    render: r => (
      <OneLine
        text={humanizeEntityRef(parseEntityRef(r.requestedBy), {
          defaultKind: 'user',
        })}
        maxWidth={160}
      />
    ),
  },
  filed: {
    title: 'Filed',
    render: r => <RelativeTime iso={r.createdAt} />,
  },
  expires: {
    title: 'Expires',
    render: r => <RelativeTime iso={r.expiresAt} />,
  },
} satisfies Record<string, Column>;

/** Narrow cell padding, so that a wide table fits a 1280 px screen. */
export function compactColumns(columns: Column[]): Column[] {
  const padding = { padding: '6px' };
  return columns.map(column => ({
    ...column,
    sorting: false,
    cellStyle: { ...(column.cellStyle as object), ...padding },
    headerStyle: { ...column.headerStyle, ...padding },
  }));
}
