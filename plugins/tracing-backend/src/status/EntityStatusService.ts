import {
  describeRollout,
  EntityTracingStatus,
  LIVE_TRACING_REQUEST_STATUSES,
  LiveObjectState,
  RolloutState,
  traceLookup,
  TracingRequest,
} from '@tracegate/plugin-tracing-common';
import { formatBeylaVersion } from '../clusters/beylaVersion';
import { parse } from 'yaml';
import { ClusterRegistry } from '../clusters/ClusterRegistry';
import { ClusterSettings } from '../clusters/config';
import { describeKubeError } from '../clusters/errors';
import { TracingRequestStore } from '../database/TracingRequestStore';
import {
  ClusterPlan,
  containsSubset,
  PlanAction,
  planCluster,
  readBeylaRollout,
  readLiveState,
  servedBy,
} from '../plan';
import {
  BEYLA_CONFIG_KEY,
  KubeObject,
  BEYLA_CONFIG_MAP,
  BEYLA_NAME,
  beylaDiscoveryEntry,
  discoveryEntriesOf,
  PROMETHEUS_KIND,
  renderCluster,
} from '../render';
import { grafanaExploreUrl } from './grafana';

/**
 * `GET /entities/.../status`: for an entity's live requests, what the plan
 * and the live objects say: the Beyla discovery entry and DaemonSet, or the
 * Prometheus CR's `tracingConfig`, each with any change still pending.
 *
 * @internal
 */
export class EntityStatusService {
  constructor(
    private readonly options: {
      store: TracingRequestStore;
      clusters: ClusterRegistry;
    },
  ) {}

  async entityStatus(requests: TracingRequest[]): Promise<EntityTracingStatus> {
    const liveRequests = requests.filter(r =>
      LIVE_TRACING_REQUEST_STATUSES.includes(r.status),
    );
    const objects: LiveObjectState[] = [];
    for (const name of new Set(liveRequests.map(r => r.cluster))) {
      const cluster = this.options.clusters.find(name);
      if (!cluster) continue;
      const own = liveRequests.filter(r => r.cluster === name);
      try {
        const plan = await this.planFor(cluster, own);
        const daemonSet = liveOf(
          findAction(plan, 'DaemonSet', BEYLA_NAME, cluster.beyla.namespace),
        );
        // The DaemonSet as the plan read it; pods are read only when it is
        // not rolled out. Unreadable: its row already says why (the plan).
        const rollout = daemonSet
          ? await readBeylaRollout(
              this.options.clusters.api(cluster),
              cluster.beyla.namespace,
              daemonSet,
            ).catch(() => undefined)
          : undefined;
        for (const request of own) {
          objects.push(...describeRequest(cluster, request, plan, rollout));
        }
      } catch (error) {
        for (const request of own) {
          objects.push({
            requestId: request.id,
            cluster: name,
            kind: 'Cluster',
            name,
            present: false,
            detail: describeKubeError(error),
          });
        }
      }
    }
    const withGrafana = liveRequests
      .map(r => ({
        r,
        cluster: this.options.clusters.find(r.cluster),
      }))
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

  /**
   * The cluster's plan (desired from all its live requests), restricted to
   * the objects that serve `own`.
   */
  private async planFor(
    cluster: ClusterSettings,
    own: TracingRequest[],
  ): Promise<ClusterPlan> {
    const all = await this.options.store.listByCluster({
      cluster: cluster.name,
      statuses: LIVE_TRACING_REQUEST_STATUSES,
    });
    const requests = [
      ...all,
      ...own.filter(r => !all.some(a => a.id === r.id)),
    ];
    const desired = renderCluster(cluster, requests).filter(
      o => servedBy(o, own).length > 0,
    );
    const api = this.options.clusters.api(cluster);
    return planCluster({
      cluster: cluster.name,
      desired,
      requests,
      live: await readLiveState(api, desired, { removable: false }),
    });
  }
}

/** The rows the entity tab shows for one request. */
function describeRequest(
  cluster: ClusterSettings,
  request: TracingRequest,
  plan: ClusterPlan,
  rollout: RolloutState | undefined,
): LiveObjectState[] {
  const row = (
    action: ReturnType<typeof findAction>,
    present: boolean,
    detail: string,
  ): LiveObjectState => ({
    requestId: request.id,
    cluster: cluster.name,
    kind: action?.object.kind ?? '',
    namespace: action?.object.metadata.namespace,
    name: action?.object.metadata.name ?? '',
    present,
    detail: `${detail}${pending(action)}`,
  });

  if (request.method === 'prometheus') {
    const action = findAction(
      plan,
      PROMETHEUS_KIND.kind,
      request.workload.name,
      request.namespace,
    );
    const live = liveOf(action);
    const tracing = (
      live?.spec as
        | { tracingConfig?: { endpoint?: string; samplingFraction?: string } }
        | undefined
    )?.tracingConfig;
    let detail = 'Prometheus not found';
    if (live) {
      detail = tracing
        ? `tracingConfig → ${tracing.endpoint}, samplingFraction ${
            tracing.samplingFraction
          }; checked: the CR holds it${operatorSays(live)}`
        : 'no tracingConfig';
    }
    return [row(action, Boolean(tracing), detail)];
  }

  const namespace = cluster.beyla.namespace;
  const configMap = findAction(plan, 'ConfigMap', BEYLA_CONFIG_MAP, namespace);
  const liveConfig = parse(
    ((liveOf(configMap)?.data as Record<string, string>) ?? {})[
      BEYLA_CONFIG_KEY
    ] ?? '{}',
  );
  const expected = beylaDiscoveryEntry(request, cluster.beyla);
  const hasEntry = discoveryEntriesOf(liveConfig).some(e =>
    containsSubset(e, expected),
  );
  const daemonSet = findAction(plan, 'DaemonSet', BEYLA_NAME, namespace);
  const shared = cluster.beyla.perEntrySampler
    ? ''
    : `; the sampler is shared: Beyla ${formatBeylaVersion(
        cluster.beyla.version,
      )} has one sampler for all workloads`;
  return [
    row(
      configMap,
      hasEntry,
      `${
        hasEntry
          ? 'discovery entry present'
          : 'no discovery entry for this workload'
      }${shared}`,
    ),
    row(
      daemonSet,
      Boolean(liveOf(daemonSet)),
      rollout ? describeRollout(rollout) : 'missing',
    ),
  ];
}

/**
 * What the prometheus-operator reports on the CR, if it runs: Tracegate
 * cannot see Prometheus' own exporter, so it says what it could check.
 */
function operatorSays(prometheus: KubeObject): string {
  const conditions =
    (
      prometheus.status as
        | { conditions?: Array<{ type: string; status: string }> }
        | undefined
    )?.conditions ?? [];
  const reconciled = conditions.find(c => c.type === 'Reconciled');
  if (!reconciled) {
    return '; no operator status reported, so whether Prometheus loaded it is not known';
  }
  return `; the operator reports Reconciled=${reconciled.status}`;
}

/** The plan's action for one desired object. */
function findAction(
  plan: ClusterPlan,
  kind: string,
  name: string,
  namespace?: string,
) {
  return plan.actions.find(
    (a): a is Extract<PlanAction, { object: unknown }> =>
      'object' in a &&
      a.object.kind === kind &&
      a.object.metadata.name === name &&
      a.object.metadata.namespace === namespace,
  );
}

function liveOf(action?: PlanAction) {
  return action && 'live' in action ? action.live : undefined;
}

/** What the plan still has to do for the object, if anything. */
function pending(action?: PlanAction): string {
  switch (action?.type) {
    case 'create':
      return '; not applied yet';
    case 'update':
      return `; differs from the desired state (${action.changes.join(', ')})`;
    case 'unreadable':
      return `; could not be read: ${describeKubeError(action.error)}`;
    default:
      return '';
  }
}
