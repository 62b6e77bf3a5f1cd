import { ErrorPanel, Table, TableColumn } from '@backstage/core-components';
import { identityApiRef, useApi } from '@backstage/frontend-plugin-api';
import { TracingRequest } from '@tracegate/plugin-tracing-common';
import useAsync from 'react-use/esm/useAsync';
import { tracingApiRef } from '../../api';
import { requestColumns } from '../requestColumns';

const columns: TableColumn<TracingRequest>[] = [
  requestColumns.service,
  requestColumns.status,
  requestColumns.cluster,
  requestColumns.workload,
  requestColumns.sampling,
  requestColumns.expires,
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
