import { useApi } from '@backstage/frontend-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import { tracingRequestApprovePermission } from '@tracegate/plugin-tracing-common';
import useAsync from 'react-use/esm/useAsync';
import { tracingApiRef } from '../api';

/**
 * Whether to offer the approval queue: the permission policy allows it and
 * the backend agrees (with the permission framework off the policy allows
 * everyone, and the backend limits approval to tracing.adminGroup).
 */
export function useMayApprove(): { loading: boolean; allowed: boolean } {
  const tracingApi = useApi(tracingApiRef);
  const permission = usePermission({
    permission: tracingRequestApprovePermission,
  });
  const capabilities = useAsync(
    () => tracingApi.getCapabilities(),
    [tracingApi],
  );
  return {
    loading: permission.loading || capabilities.loading,
    allowed: permission.allowed && capabilities.value?.approve === true,
  };
}
