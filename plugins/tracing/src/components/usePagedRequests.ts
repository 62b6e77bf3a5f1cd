import { useApi } from '@backstage/frontend-plugin-api';
import { TracingRequest } from '@tracegate/plugin-tracing-common';
import { useCallback, useEffect, useState } from 'react';
import { ListRequestsOptions, tracingApiRef } from '../api';

/** Rows per page of a request list. */
export const PAGE_SIZE = 100;

/**
 * Pages of `GET /requests` with the API's cursor: the first page for the
 * options, then `loadMore` appends the next. New options start over;
 * `reload` fetches the pages loaded so far again.
 */
export function usePagedRequests(options: ListRequestsOptions | undefined) {
  const tracingApi = useApi(tracingApiRef);
  const [items, setItems] = useState<TracingRequest[]>([]);
  const [nextCursor, setNextCursor] = useState<string>();
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<Error>();
  const [generation, setGeneration] = useState(0);
  const key = JSON.stringify(options ?? null);

  useEffect(() => {
    if (!options) return undefined;
    let cancelled = false;
    setLoading(true);
    tracingApi
      .listRequests({ ...options, limit: PAGE_SIZE })
      .then(page => {
        if (cancelled) return;
        setItems(page.items);
        setNextCursor(page.nextCursor);
        setError(undefined);
      })
      .catch(e => !cancelled && setError(e))
      .finally(() => !cancelled && setLoading(false));
    return () => {
      cancelled = true;
    };
    // The key stands for the options' contents.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [tracingApi, key, generation]);

  const loadMore = useCallback(async () => {
    if (!options || !nextCursor) return;
    setLoading(true);
    try {
      const page = await tracingApi.listRequests({
        ...options,
        limit: PAGE_SIZE,
        cursor: nextCursor,
      });
      setItems(current => [...current, ...page.items]);
      setNextCursor(page.nextCursor);
    } catch (e) {
      setError(e as Error);
    } finally {
      setLoading(false);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [tracingApi, key, nextCursor]);

  const reload = useCallback(() => setGeneration(g => g + 1), []);

  return {
    items,
    hasMore: Boolean(nextCursor),
    loading,
    error,
    loadMore,
    reload,
  };
}
