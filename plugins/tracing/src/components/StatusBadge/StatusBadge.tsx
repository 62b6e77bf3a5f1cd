import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
  StatusWarning,
} from '@backstage/core-components';
import { TracingRequestStatus } from '@tracegate/plugin-tracing-common';

const STATUS_ICONS: Record<TracingRequestStatus, typeof StatusOK> = {
  pending: StatusPending,
  approved: StatusRunning,
  active: StatusOK,
  failed: StatusError,
  rejected: StatusWarning,
  cancelled: StatusAborted,
  revoked: StatusAborted,
  expired: StatusAborted,
};

/**
 * A request's state as a coloured status with its name.
 *
 * @public
 */
export const StatusBadge = ({ status }: { status: TracingRequestStatus }) => {
  const Icon = STATUS_ICONS[status];
  return <Icon>{status}</Icon>;
};
