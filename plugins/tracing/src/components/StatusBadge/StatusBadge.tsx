import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
  StatusWarning,
} from '@backstage/core-components';
import {
  describeRollout,
  RolloutState,
  TracingRequestStatus,
} from '@tracegate/plugin-tracing-common';

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
 * A request's state as a coloured status with its name, and the rollout's
 * progress while the config that carries it is not yet running everywhere.
 *
 * @public
 */
export const StatusBadge = (props: {
  status: TracingRequestStatus;
  rollout?: RolloutState;
}) => {
  const { status, rollout } = props;
  const Icon = STATUS_ICONS[status];
  const rolling =
    rollout && !rollout.complete && status !== 'failed'
      ? ` · ${describeRollout({ ...rollout, message: undefined })}`
      : '';
  return (
    <Icon>
      {status}
      {rolling}
    </Icon>
  );
};
