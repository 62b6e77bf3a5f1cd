import { useApi } from '@backstage/frontend-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { tracingRequestApprovePermission } from '@tracegate/plugin-tracing-common';
import useAsync from 'react-use/esm/useAsync';

/**
 * Whether the user may approve tracing requests in general. `usePermission`
 * refuses resource permissions asked without a resource, so this asks the
 * permission backend directly; the default policy answers approvers without
 * conditions. The backend checks again on every decision.
 *
 * @internal
 */
export function useApproverPermission(): {
  loading: boolean;
  allowed: boolean;
} {
  const permissionApi = useApi(permissionApiRef);
  const { loading, value } = useAsync(
    () =>
      permissionApi.authorize({ permission: tracingRequestApprovePermission }),
    [permissionApi],
  );
  return { loading, allowed: value?.result === AuthorizeResult.ALLOW };
}
