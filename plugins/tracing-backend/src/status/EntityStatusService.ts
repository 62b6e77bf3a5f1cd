import {
  EntityTracingStatus,
  LIVE_TRACING_REQUEST_STATUSES,
  LiveObjectState,
  RecordedObject,
  traceLookup,
  TracingRequest,
} from '@tracegate/plugin-tracing-common';
import { ClusterRegistry } from '../clusters/ClusterRegistry';
import { ClusterStore } from '../database/ClusterStore';
import { grafanaExploreUrl } from './grafana';

/**
 * `GET /entities/.../status`: for an entity's live requests, what the last
 * reconcile pass of their cluster found: Beyla's config and DaemonSet (with
 * its nodes), each request's own entry or Prometheus CR, and how far its
 * entry reaches its target's nodes (`lastApply`). Read from the database
 * only: no render and no cluster read per poll.
 *
 * @internal
 */
export class EntityStatusService {
  constructor(
    private readonly options: {
      clusterStore: ClusterStore;
      clusters: ClusterRegistry;
    },
  ) {}

  async entityStatus(requests: TracingRequest[]): Promise<EntityTracingStatus> {
    const live = requests.filter(r =>
      LIVE_TRACING_REQUEST_STATUSES.includes(r.status),
    );
    const states = await this.options.clusterStore.states([
      ...new Set(live.map(r => r.cluster)),
    ]);
    const objects: LiveObjectState[] = [];
    for (const request of live) {
      const state = states.get(request.cluster);
      const row = (o: RecordedObject): LiveObjectState => ({
        requestId: request.id,
        cluster: request.cluster,
        ...o,
      });
      if (!state) {
        objects.push(
          row({
            kind: 'Cluster',
            name: request.cluster,
            present: false,
            detail: 'no reconcile pass has recorded this cluster yet',
          }),
        );
        continue;
      }
      if (request.method === 'ebpf')
        objects.push(...state.beylaObjects.map(row));
      objects.push(...(request.lastApply?.objects ?? []).map(row));
      objects.push(...state.sharedObjects.map(row));
      for (const error of state.errors) {
        objects.push(
          row({
            kind: 'Cluster',
            name: request.cluster,
            present: true,
            detail: error,
          }),
        );
      }
    }
    const withGrafana = live
      .map(r => ({ r, cluster: this.options.clusters.find(r.cluster) }))
      .find(({ cluster }) => cluster?.tempo.grafanaUrl);
    return {
      requests,
      objects,
      grafanaExploreUrl: withGrafana
        ? grafanaExploreUrl(
            withGrafana.cluster!.tempo.grafanaUrl!,
            withGrafana.cluster!.tempo.datasourceUid,
            traceLookup(withGrafana.r).traceQL,
          )
        : undefined,
    };
  }
}
