import { NotFoundError } from '@backstage/errors';
import {
  ClusterInfo,
  EntityTracingStatus,
  LIVE_TRACING_REQUEST_STATUSES,
  LiveObjectState,
  TracingPreview,
  TracingRequest,
} from '@tracegate/plugin-tracing-common';
import { createTwoFilesPatch } from 'diff';
import { parse, stringify } from 'yaml';
import { ClusterSettings } from '../clusters/config';
import { describeKubeError, KubeApi, KubeApiError } from '../clusters/KubeApi';
import { TracingRequestStore } from '../database/TracingRequestStore';
import {
  BEYLA_CONFIG_KEY,
  BEYLA_CONFIG_MAP,
  BEYLA_NAME,
  KubeObject,
  objectKey,
  renderBeylaConfig,
  renderCluster,
} from '../render';
import { containsSubset, projectOnto } from '../reconcile/subset';

/**
 * What the clusters say: reachability, previews by server-side dry run, and
 * the live objects behind an entity's requests. Reads only, except the
 * dry-run applies, which the API server never persists.
 *
 * @internal
 */
export class ClusterStatusService {
  constructor(
    private readonly options: {
      store: TracingRequestStore;
      clusters: ClusterSettings[];
      apiFor: (cluster: ClusterSettings) => KubeApi;
    },
  ) {}

  async listClusters(): Promise<ClusterInfo[]> {
    return Promise.all(
      this.options.clusters.map(async cluster => {
        const info: ClusterInfo = {
          name: cluster.name,
          beylaDialect: cluster.beyla.dialect,
          reachable: false,
        };
        try {
          info.version = (
            await this.options.apiFor(cluster).version()
          ).gitVersion;
          info.reachable = true;
        } catch (error) {
          info.error = describeKubeError(error);
        }
        return info;
      }),
    );
  }

  /** The objects approving `candidate` would apply, and their diff to live. */
  async preview(candidate: TracingRequest): Promise<TracingPreview> {
    const cluster = this.cluster(candidate.cluster);
    // A stored request is compared with the state without it.
    const live = (
      await this.options.store.listByCluster({
        cluster: cluster.name,
        statuses: LIVE_TRACING_REQUEST_STATUSES,
      })
    ).filter(r => r.id !== candidate.id);
    const before = new Map(
      renderCluster(cluster, live).map(o => [objectKey(o), o]),
    );
    const added = {
      ...candidate,
      id: candidate.id || 'preview',
      status: 'approved' as const,
    };
    const changed = renderCluster(cluster, [...live, added]).filter(o => {
      const previous = before.get(objectKey(o));
      return !previous || stringify(previous) !== stringify(o);
    });
    const preview: TracingPreview = {
      objects: changed.map(o => ({
        apiVersion: o.apiVersion,
        kind: o.kind,
        name: o.metadata.name,
        namespace: o.metadata.namespace,
        yaml: stringify(o),
      })),
    };
    try {
      const api = this.options.apiFor(cluster);
      const patches: string[] = [];
      for (const object of changed) {
        const current = await api.get(object);
        if (current && containsSubset(current, object)) continue;
        const after = await this.dryRun(api, object, current);
        const name = `${object.kind} ${
          object.metadata.namespace ? `${object.metadata.namespace}/` : ''
        }${object.metadata.name}`;
        patches.push(
          createTwoFilesPatch(
            `${name} (live)`,
            `${name} (after approval)`,
            current ? stringify(projectOnto(current, object)) : '',
            stringify(projectOnto(after, object)),
          ),
        );
      }
      preview.diff = patches.join('');
    } catch (error) {
      preview.diffError = describeKubeError(error);
    }
    return preview;
  }

  /** Live state of the objects behind an entity's requests. */
  async entityStatus(requests: TracingRequest[]): Promise<EntityTracingStatus> {
    const liveRequests = requests.filter(r =>
      LIVE_TRACING_REQUEST_STATUSES.includes(r.status),
    );
    const objects: LiveObjectState[] = [];
    for (const request of liveRequests) {
      const cluster = this.options.clusters.find(
        c => c.name === request.cluster,
      );
      if (!cluster) continue;
      const api = this.options.apiFor(cluster);
      try {
        if (request.method === 'ebpf') {
          objects.push(...(await this.beylaState(api, cluster, request)));
        } else {
          objects.push(await this.prometheusState(api, request));
        }
      } catch (error) {
        objects.push({
          requestId: request.id,
          cluster: request.cluster,
          kind: 'Cluster',
          name: request.cluster,
          present: false,
          detail: describeKubeError(error),
        });
      }
    }
    const grafana = liveRequests
      .map(r => ({
        r,
        cluster: this.options.clusters.find(c => c.name === r.cluster),
      }))
      .find(({ cluster }) => cluster?.tempo.grafanaUrl);
    return {
      requests,
      objects,
      grafanaExploreUrl: grafana
        ? grafanaExploreUrl(
            grafana.cluster!.tempo.grafanaUrl!,
            grafana.cluster!.tempo.datasourceUid,
            grafana.r.workload.name,
          )
        : undefined,
    };
  }

  private async beylaState(
    api: KubeApi,
    cluster: ClusterSettings,
    request: TracingRequest,
  ) {
    const namespace = cluster.beyla.namespace;
    const configMap = await api.get({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: BEYLA_CONFIG_MAP, namespace },
    });
    const config =
      parse(
        ((configMap?.data as Record<string, string>) ?? {})[BEYLA_CONFIG_KEY] ??
          '{}',
      ) ?? {};
    const entries: Array<Record<string, unknown>> =
      config.discovery?.instrument ?? config.discovery?.services ?? [];
    // The entry this request renders to, looked for among the live ones.
    const own = parse(
      renderBeylaConfig([request], cluster.beyla, cluster.tempo),
    ).discovery;
    const expected = (own.instrument ?? own.services)[0];
    const hasEntry = entries.some(e => containsSubset(e, expected));
    const daemonSet = await api.get({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: BEYLA_NAME, namespace },
    });
    const status = (daemonSet?.status ?? {}) as {
      desiredNumberScheduled?: number;
      numberReady?: number;
    };
    return [
      {
        requestId: request.id,
        cluster: cluster.name,
        kind: 'ConfigMap',
        namespace,
        name: BEYLA_CONFIG_MAP,
        present: hasEntry,
        detail: hasEntry
          ? 'discovery entry present'
          : 'no discovery entry for this workload',
      },
      {
        requestId: request.id,
        cluster: cluster.name,
        kind: 'DaemonSet',
        namespace,
        name: BEYLA_NAME,
        present: Boolean(daemonSet),
        detail: daemonSet
          ? `${status.numberReady ?? 0}/${
              status.desiredNumberScheduled ?? 0
            } ready`
          : 'missing',
      },
    ];
  }

  private async prometheusState(
    api: KubeApi,
    request: TracingRequest,
  ): Promise<LiveObjectState> {
    const prometheus = await api.get({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'Prometheus',
      metadata: { name: request.workload.name, namespace: request.namespace },
    });
    const tracing = (
      prometheus?.spec as {
        tracingConfig?: { endpoint?: string; samplingFraction?: string };
      }
    )?.tracingConfig;
    return {
      requestId: request.id,
      cluster: request.cluster,
      kind: 'Prometheus',
      namespace: request.namespace,
      name: request.workload.name,
      present: Boolean(tracing),
      detail: describeTracingConfig(prometheus, tracing),
    };
  }

  /**
   * The object as the API server would store it. A new object that refers to
   * another new one (a binding to a role not created yet) cannot be dry-run
   * alone; it is shown as rendered.
   */
  private async dryRun(api: KubeApi, object: KubeObject, current?: KubeObject) {
    try {
      return await api.apply(object, { dryRun: true });
    } catch (error) {
      if (!current && error instanceof KubeApiError && error.status === 404) {
        return object;
      }
      throw error;
    }
  }

  private cluster(name: string): ClusterSettings {
    const cluster = this.options.clusters.find(c => c.name === name);
    if (!cluster) throw new NotFoundError(`No cluster named ${name}`);
    return cluster;
  }
}

function describeTracingConfig(
  prometheus: unknown,
  tracing?: { endpoint?: string; samplingFraction?: string },
): string {
  if (!prometheus) return 'Prometheus not found';
  if (!tracing) return 'no tracingConfig';
  return `tracingConfig → ${tracing.endpoint}, samplingFraction ${tracing.samplingFraction}`;
}

/**
 * Grafana 10+ Explore link with a TraceQL query for the service's traces
 * (Beyla names the service after its workload).
 */
export function grafanaExploreUrl(
  grafanaUrl: string,
  datasourceUid: string,
  serviceName: string,
): string {
  const panes = {
    tracegate: {
      datasource: datasourceUid,
      queries: [
        {
          refId: 'A',
          datasource: { type: 'tempo', uid: datasourceUid },
          queryType: 'traceql',
          query: `{ resource.service.name = ${JSON.stringify(serviceName)} }`,
        },
      ],
      range: { from: 'now-1h', to: 'now' },
    },
  };
  return `${grafanaUrl.replace(
    /\/$/,
    '',
  )}/explore?schemaVersion=1&panes=${encodeURIComponent(
    JSON.stringify(panes),
  )}&orgId=1`;
}
