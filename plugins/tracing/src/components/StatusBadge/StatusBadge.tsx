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
  LastApply,
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
 * A request's state as a coloured status with its name, and while it is
 * on its way: the commit the cluster does not hold yet (git delivery), or
 * the rollout's progress while its config is not yet running everywhere.
 *
 * @public
 */
export const StatusBadge = (props: {
  status: TracingRequestStatus;
  lastApply?: Pick<LastApply, 'rollout' | 'commit'>;
}) => {
  const { status } = props;
  const { rollout, commit } = props.lastApply ?? {};
  const Icon = STATUS_ICONS[status];
  let rolling = '';
  if (status !== 'failed' && commit && !commit.onCluster) {
    rolling = ` · committed ${commit.sha.slice(0, 7)}`;
  } else if (status !== 'failed' && rollout && !rollout.complete) {
    rolling = ` · ${describeRollout({ ...rollout, message: undefined })}`;
  }
  return (
    <Icon>
      {status}
      {rolling}
    </Icon>
  );
};
