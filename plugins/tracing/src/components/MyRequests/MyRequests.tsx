import {
  ErrorPanel,
  Link,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { identityApiRef, useApi } from '@backstage/frontend-plugin-api';
import { TracingRequest } from '@tracegate/plugin-tracing-common';
import useAsync from 'react-use/esm/useAsync';
import { tracingApiRef } from '../../api';
import { entityPath } from '../RequestForm/RequestForm';
import { StatusBadge } from '../StatusBadge';

const columns: TableColumn<TracingRequest>[] = [
  {
    title: 'Service',
    field: 'entityRef',
    render: r => (
      <Link to={entityPath(r.entityRef)}>
        {r.entityRef.replace(/^component:default\//, '')}
      </Link>
    ),
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
  {
    title: 'Sampling',
    render: r => `${r.sampling.sampler} ${r.sampling.ratio}`,
  },
  { title: 'Expires', render: r => new Date(r.expiresAt).toLocaleString() },
  {
    title: 'Last apply',
    render: r =>
      r.lastApply?.error ??
      (r.lastApply ? new Date(r.lastApply.at).toLocaleString() : ''),
  },
];

/**
 * The signed-in user's own requests, newest first.
 *
 * @public
 */
export const MyRequests = () => {
  const tracingApi = useApi(tracingApiRef);
  const identityApi = useApi(identityApiRef);
  const requests = useAsync(async () => {
    const { userEntityRef } = await identityApi.getBackstageIdentity();
    return (
      await tracingApi.listRequests({ requestedBy: userEntityRef, limit: 100 })
    ).items;
  }, [tracingApi, identityApi]);

  if (requests.error) {
    return (
      <ErrorPanel title="Could not load your requests" error={requests.error} />
    );
  }
  return (
    <Table<TracingRequest>
      title="My tracing requests"
      isLoading={requests.loading}
      // Sort labels in header cells nest buttons (axe: nested-interactive).
      columns={columns.map(c => ({ ...c, sorting: false }))}
      data={requests.value ?? []}
      options={{ paging: false, search: false }}
      emptyContent={
        <div style={{ padding: 16 }}>You have not asked for tracing yet.</div>
      }
    />
  );
};
