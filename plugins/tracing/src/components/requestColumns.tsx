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
  TracingRequest,
} from '@tracegate/plugin-tracing-common';
import { StatusBadge } from './StatusBadge';

type Column = TableColumn<TracingRequest>;

const shortRef = (r: TracingRequest) =>
  humanizeEntityRef(parseEntityRef(r.entityRef), {
    defaultKind: 'component',
  });

/** Table columns shared by the request lists. */
export const requestColumns = {
  /** The service as text, for tables whose rows open on click. */
  serviceName: { title: 'Service', field: 'entityRef', render: shortRef },
  /** The service as a link to its catalog page. */
  service: {
    title: 'Service',
    field: 'entityRef',
    render: r => (
      <EntityRefLink entityRef={r.entityRef} defaultKind="component" />
    ),
  },
  status: {
    title: 'Status',
    field: 'status',
    render: r => (
      <>
        <StatusBadge status={r.status} rollout={r.lastApply?.rollout} />
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
  cluster: { title: 'Cluster', field: 'cluster' },
  workload: {
    title: 'Workload',
    render: r => `${r.workload.kind} ${r.namespace}/${r.workload.name}`,
  },
  /** Whether the target exists and is the entity's own, as last checked. */
  target: {
    title: 'Target',
    render: r => {
      const text = describeTargetCheck(r.targetCheck);
      const message = r.targetCheck?.message;
      return message ? (
        <Tooltip title={message}>
          <span>{text}</span>
        </Tooltip>
      ) : (
        text
      );
    },
  },
  sampling: {
    title: 'Sampling',
    render: r => `${r.sampling.sampler} ${r.sampling.ratio}`,
  },
  expires: {
    title: 'Expires',
    render: r => new Date(r.expiresAt).toLocaleString(),
  },
} satisfies Record<string, Column>;
