import {
  LIVE_TRACING_REQUEST_STATUSES,
  TracingPreview,
  TracingRequest,
} from '@tracegate/plugin-tracing-common';
import { createTwoFilesPatch } from 'diff';
import { stringify } from 'yaml';
import { ClusterRegistry } from '../clusters/ClusterRegistry';
import { describeKubeError, isNotFound } from '../clusters/errors';
import { KubeApi } from '../clusters/KubeApi';
import { TracingRequestStore } from '../database/TracingRequestStore';
import {
  blockingError,
  changedObjects,
  planCluster,
  projectOnto,
  readLiveState,
} from '../plan';
import { KubeObject, renderCluster } from '../render';
import { redactForBrowser } from '../render/redact';
import { sharedSampler } from '../render/beyla';
import { formatBeylaVersion } from '../clusters/beylaVersion';
import { ClusterSettings } from '../clusters/config';

/**
 * What approving a request would apply: the objects its approval changes,
 * and the plan for them run as a server-side dry run, shown as a diff
 * against the live objects. The API server never persists a dry run.
 *
 * @internal
 */
export class PreviewService {
  constructor(
    private readonly options: {
      store: TracingRequestStore;
      clusters: ClusterRegistry;
    },
  ) {}

  async preview(candidate: TracingRequest): Promise<TracingPreview> {
    const cluster = this.options.clusters.get(candidate.cluster);
    // A stored request is compared with the state without it.
    const others = (
      await this.options.store.listByCluster({
        cluster: cluster.name,
        statuses: LIVE_TRACING_REQUEST_STATUSES,
      })
    ).filter(r => r.id !== candidate.id);
    // Approving a replacement ends the request it replaces.
    const requests = [
      ...others.filter(r => r.id !== candidate.supersedes),
      {
        ...candidate,
        id: candidate.id || 'preview',
        status: 'approved' as const,
      },
    ];
    const changed = changedObjects(
      renderCluster(cluster, others),
      renderCluster(cluster, requests),
    );
    const preview: TracingPreview = {
      notes: notesFor(cluster, requests, candidate),
      objects: changed.map(o => ({
        apiVersion: o.apiVersion,
        kind: o.kind,
        name: o.metadata.name,
        namespace: o.metadata.namespace,
        yaml: stringify(redactForBrowser(o)),
      })),
    };
    try {
      const api = this.options.clusters.api(cluster);
      const plan = planCluster({
        cluster: cluster.name,
        desired: changed,
        requests,
        live: await readLiveState(api, changed, { removable: false }),
      });
      const patches: string[] = [];
      for (const action of plan.actions) {
        const blocked = blockingError(action);
        if (blocked) throw blocked;
        if (action.type !== 'create' && action.type !== 'update') continue;
        const live = action.type === 'update' ? action.live : undefined;
        const after = await dryRun(api, action.object, live);
        const { kind, metadata } = action.object;
        const name = `${kind} ${
          metadata.namespace ? `${metadata.namespace}/` : ''
        }${metadata.name}`;
        patches.push(
          createTwoFilesPatch(
            `${name} (live)`,
            `${name} (after approval)`,
            live
              ? stringify(redactForBrowser(projectOnto(live, action.object)))
              : '',
            stringify(redactForBrowser(projectOnto(after, action.object))),
          ),
        );
      }
      preview.diff = patches.join('');
    } catch (error) {
      preview.diffError = describeKubeError(error);
    }
    return preview;
  }
}

/** What the rendered objects alone do not make plain. */
function notesFor(
  cluster: ClusterSettings,
  requests: TracingRequest[],
  candidate: TracingRequest,
): string[] {
  if (candidate.method !== 'ebpf' || cluster.beyla.perEntrySampler) return [];
  const shared = sharedSampler(requests.filter(r => r.method === 'ebpf'));
  return [
    `Beyla ${formatBeylaVersion(cluster.beyla.version)} on cluster ${
      cluster.name
    } has one sampler for all workloads: after approval it is ${
      shared.sampling.sampler
    } ${
      shared.sampling.ratio
    } (the most demanding request's), not per workload.`,
  ];
}

/**
 * The object as the API server would store it. A new object that refers to
 * another new one (a binding to a role not created yet) cannot be dry-run
 * alone; it is shown as rendered.
 */
async function dryRun(api: KubeApi, object: KubeObject, live?: KubeObject) {
  try {
    return await api.apply(object, { dryRun: true });
  } catch (error) {
    if (!live && isNotFound(error)) return object;
    throw error;
  }
}
