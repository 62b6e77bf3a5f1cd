import { Link, TableColumn } from '@backstage/core-components';
import { TracingRequest } from '@tracegate/plugin-tracing-common';
import { entityPath } from './RequestForm/RequestForm';
import { StatusBadge } from './StatusBadge';

type Column = TableColumn<TracingRequest>;

const shortRef = (r: TracingRequest) =>
  r.entityRef.replace(/^component:default\//, '');

/** Table columns shared by the request lists. */
export const requestColumns = {
  /** The service as text, for tables whose rows open on click. */
  serviceName: { title: 'Service', field: 'entityRef', render: shortRef },
  /** The service as a link to its catalog page. */
  service: {
    title: 'Service',
    field: 'entityRef',
    render: r => <Link to={entityPath(r.entityRef)}>{shortRef(r)}</Link>,
  },
  status: {
    title: 'Status',
    field: 'status',
    render: r => <StatusBadge status={r.status} />,
  },
  cluster: { title: 'Cluster', field: 'cluster' },
  workload: {
    title: 'Workload',
    render: r => `${r.workload.kind} ${r.namespace}/${r.workload.name}`,
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
