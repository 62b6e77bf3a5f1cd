import { InfoCard, Progress, WarningPanel } from '@backstage/core-components';
import { useRouteRef as useLegacyRouteRef } from '@backstage/core-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/frontend-plugin-api';
import { entityRouteRef, useEntity } from '@backstage/plugin-catalog-react';
import Typography from '@material-ui/core/Typography';
import {
  describeTraceArrival,
  relativeTime,
} from '@tracegate/plugin-tracing-common';
import useAsync from 'react-use/esm/useAsync';
import { tracingApiRef } from '../../api';
import { StatusBadge } from '../StatusBadge';

/**
 * The entity's tracing at a glance, for its Overview tab: the newest
 * request's state, target, sampling, expiry and whether traces arrive, with
 * the way to the Tracing tab. Nothing when the entity has no request.
 *
 * @public
 */
export const EntityTracingCard = () => {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const tracingApi = useApi(tracingApiRef);
  // The catalog's own ref, resolved as its entity links resolve it.
  const entityRoute = useLegacyRouteRef(entityRouteRef);
  const status = useAsync(
    () => tracingApi.getEntityStatus(entityRef),
    [tracingApi, entityRef],
  );

  if (status.loading) {
    return (
      <InfoCard title="Tracing">
        <Progress />
      </InfoCard>
    );
  }
  if (status.error) {
    return (
      <InfoCard title="Tracing">
        <WarningPanel
          title="Could not load the tracing state"
          message={status.error.message}
        />
      </InfoCard>
    );
  }
  // Newest first: the request that says most about now.
  const request = status.value?.requests[0];
  if (!request) return null;
  const tab = `${entityRoute({
    namespace: entity.metadata.namespace ?? 'default',
    kind: entity.kind.toLocaleLowerCase('en-US'),
    name: entity.metadata.name,
  })}/tracing`;

  return (
    <InfoCard
      title="Tracing"
      deepLink={{ title: 'Open the Tracing tab', link: tab }}
    >
      <StatusBadge status={request.status} lastApply={request.lastApply} />
      <Typography variant="body2">
        {request.workload.kind} {request.namespace}/{request.workload.name} on{' '}
        {request.cluster}
      </Typography>
      <Typography variant="body2">
        Sampler {request.sampling.sampler}, ratio {request.sampling.ratio} ·
        expires {relativeTime(request.expiresAt)}
      </Typography>
      {request.status === 'active' && (
        <Typography variant="body2">
          {describeTraceArrival(request.traces)}
        </Typography>
      )}
    </InfoCard>
  );
};
