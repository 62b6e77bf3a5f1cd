import { Content, EmptyState, Progress } from '@backstage/core-components';
import { AdminQueue } from '../AdminQueue';
import { useMayApprove } from '../useMayApprove';

/**
 * The platform admins' queue: pending requests first, each with its preview;
 * approve, reject with a comment, or approve several at once.
 *
 * @public
 */
export const AdminQueuePage = () => {
  const { loading, allowed } = useMayApprove();
  if (loading) return <Progress />;
  if (!allowed) {
    return (
      <Content>
        <EmptyState
          missing="info"
          title="Only platform admins review tracing requests"
          description="You may not approve or reject tracing requests."
        />
      </Content>
    );
  }
  return <AdminQueue />;
};
