import { useApi } from '@backstage/frontend-plugin-api';
import useAsync from 'react-use/esm/useAsync';
import { tracingApiRef } from '../api';

/**
 * `tracing.maxDuration` in milliseconds as the backend enforces it (it tells
 * the UI in `GET /capabilities`); undefined until it answers.
 */
export function useMaxDurationMs(): {
  maxDurationMs?: number;
  loading: boolean;
  error?: Error;
} {
  const tracingApi = useApi(tracingApiRef);
  const capabilities = useAsync(
    () => tracingApi.getCapabilities(),
    [tracingApi],
  );
  return {
    maxDurationMs: capabilities.value?.maxDurationMs,
    loading: capabilities.loading,
    error: capabilities.error,
  };
}
