import { ErrorPanel, Table, TableColumn } from '@backstage/core-components';
import { identityApiRef, useApi } from '@backstage/frontend-plugin-api';
import { TracingRequest } from '@tracegate/plugin-tracing-common';
import useAsync from 'react-use/esm/useAsync';
import { CancelRequestButton } from '../CancelRequestButton';
import { LoadMore } from '../LoadMore';
import { OneLine, RelativeTime } from '../Readable';
import { compactColumns, requestColumns } from '../requestColumns';
import { usePagedRequests } from '../usePagedRequests';

/**
 * The signed-in user's own requests, newest first, a page at a time; a
 * pending one can be cancelled here.
 *
 * @public
 */
export const MyRequests = () => {
  const identityApi = useApi(identityApiRef);
  const identity = useAsync(
    () => identityApi.getBackstageIdentity(),
    [identityApi],
  );
  const requestedBy = identity.value?.userEntityRef;
  const requests = usePagedRequests(requestedBy ? { requestedBy } : undefined);

  const columns: TableColumn<TracingRequest>[] = [
    requestColumns.service,
    requestColumns.status,
    requestColumns.cluster,
    requestColumns.workload,
    requestColumns.sampling,
    requestColumns.expires,
    {
      title: 'Last apply',
      render: r => {
        if (r.lastApply?.error) {
          return <OneLine text={r.lastApply.error} maxWidth={260} />;
        }
        return r.lastApply ? <RelativeTime iso={r.lastApply.at} /> : '';
      },
    },
    {
      title: 'Actions',
      render: r => <CancelRequestButton request={r} onDone={requests.reload} />,
    },
  ];

  const error = identity.error ?? requests.error;
  if (error) {
    return <ErrorPanel title="Could not load your requests" error={error} />;
  }
  return (
    <>
      <Table<TracingRequest>
        title="My tracing requests"
        isLoading={requests.loading}
        // Sort labels in header cells nest buttons (axe: nested-interactive).
        columns={compactColumns(columns)}
        data={requests.items}
        options={{ paging: false, search: false }}
        emptyContent={
          <div style={{ padding: 16 }}>You have not asked for tracing yet.</div>
        }
      />
      <LoadMore
        shown={requests.items.length}
        hasMore={requests.hasMore}
        loading={requests.loading}
        onLoadMore={requests.loadMore}
      />
    </>
  );
};
