import {
  TracingPreview,
  TracingRequest,
} from '@tracegate/plugin-tracing-common';
import { createTwoFilesPatch } from 'diff';
import { stringify } from 'yaml';
import { ClusterRegistry } from '../clusters/ClusterRegistry';
import { describeKubeError, isNotFound } from '../clusters/errors';
import { KubeApi, ObjectRef } from '../clusters/KubeApi';
import { TracingRequestStore } from '../database/TracingRequestStore';
import {
  blockingError,
  changedObjects,
  ClusterPlan,
  clusterPlan,
  liveSet,
  PlanAction,
  previewSet,
  projectOnto,
  servedBy,
} from '../plan';
import { changedFiles, manifestFiles } from '../gitops/manifestFiles';
import {
  BEYLA_CONFIG_LABEL,
  configMapOfBeylaPod,
  describeObject,
  KubeObject,
  objectKey,
  renderCluster,
} from '../render';
import { redactForBrowser } from '../render/redact';
import { sharedSampler } from '../render/beylaConfig';
import { formatBeylaVersion } from '../clusters/beylaVersion';
import { ClusterSettings, GitDeliverySettings } from '../clusters/config';
import { PreparedRequest } from '../service/TracingRequestService';

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

  /**
   * What filing `prepared` would ask approval to apply: the preview, with
   * its target check and the auto-approval rule that would approve it.
   */
  async previewFiling({
    autoApproveRule,
    ...candidate
  }: PreparedRequest): Promise<TracingPreview> {
    return {
      ...(await this.preview(candidate)),
      targetCheck: candidate.targetCheck,
      ...(autoApproveRule && { autoApproval: { rule: autoApproveRule.name } }),
    };
  }

  async preview(candidate: TracingRequest): Promise<TracingPreview> {
    const cluster = this.options.clusters.get(candidate.cluster);
    // A stored request is compared with the state without it; approving a
    // replacement ends the request it replaces.
    const { before, after } = previewSet(
      await liveSet(this.options.store, cluster.name),
      candidate,
    );
    const rendered = {
      before: renderCluster(cluster, before),
      after: renderCluster(cluster, after),
    };
    const changed = changedObjects(rendered.before, rendered.after);
    const changedKeys = new Set(changed.map(objectKey));
    const preview: TracingPreview = {
      notes: notesFor(cluster, after, candidate),
      objects: changed.map(o => ({
        apiVersion: o.apiVersion,
        kind: o.kind,
        name: o.metadata.name,
        namespace: o.metadata.namespace,
        yaml: stringify(redactForBrowser(o)),
      })),
    };
    if (cluster.delivery.type === 'git') {
      preview.diff = fileDiff(cluster, {
        before: { requests: before, objects: rendered.before },
        after: { requests: after, objects: rendered.after },
      });
      preview.notes!.push(gitNote(cluster, candidate));
      return preview;
    }
    try {
      const api = this.options.clusters.api(cluster);
      const { plan } = await clusterPlan({
        api,
        cluster,
        requests: after,
        removable: false,
        only: o => changedKeys.has(objectKey(o)),
      });
      const patches: string[] = [];
      for (const action of plan.actions) {
        const blocked = blockingError(action);
        if (blocked) throw blocked;
        if (action.type !== 'create' && action.type !== 'update') continue;
        patches.push(await this.patchOf(api, plan, action));
      }
      preview.diff = patches.join('');
    } catch (error) {
      preview.diffError = describeKubeError(error);
    }
    return preview;
  }

  /**
   * One object's unified diff, live against a server-side dry run. A new
   * Beyla config is diffed against the config Beyla's DaemonSet names now:
   * the entries that change.
   */
  private async patchOf(
    api: KubeApi,
    plan: ClusterPlan,
    action: Extract<PlanAction, { type: 'create' | 'update' }>,
  ): Promise<string> {
    let live = action.type === 'update' ? action.live : undefined;
    const name = describeObject(action.object);
    let from = name;
    if (!live && action.object.metadata.labels?.[BEYLA_CONFIG_LABEL]) {
      const current = currentBeylaConfig(plan);
      live = current && (await api.get(current));
      if (live) from = describeObject(live);
    }
    const after = await dryRun(api, action.object, live);
    return createTwoFilesPatch(
      `${from} (live)`,
      `${name} (after approval)`,
      live ? stringify(redactForBrowser(projectOnto(live, action.object))) : '',
      stringify(redactForBrowser(projectOnto(after, action.object))),
    );
  }
}

/**
 * Git delivery: the unified diff of the folder's files, those of the live
 * requests against those after approval (what the commit would change).
 */
function fileDiff(
  cluster: ClusterSettings,
  sets: Record<
    'before' | 'after',
    { requests: TracingRequest[]; objects: KubeObject[] }
  >,
): string {
  const { folder } = cluster.delivery as GitDeliverySettings;
  const filesOf = ({ requests, objects }: typeof sets.before) =>
    manifestFiles(
      cluster.name,
      objects.map(object => ({
        object: redactForBrowser(object),
        requestIds: servedBy(object, requests),
      })),
    );
  const was = filesOf(sets.before);
  const is = filesOf(sets.after);
  const { added, changed, removed } = changedFiles(was, is);
  return [...added, ...changed, ...removed]
    .sort()
    .map(name =>
      createTwoFilesPatch(
        was.has(name) ? `a/${folder}/${name}` : '/dev/null',
        is.has(name) ? `b/${folder}/${name}` : '/dev/null',
        was.get(name) ?? '',
        is.get(name) ?? '',
      ),
    )
    .join('');
}

function gitNote(cluster: ClusterSettings, candidate: TracingRequest): string {
  const { url, branch, folder } = cluster.delivery as GitDeliverySettings;
  return `Cluster ${
    cluster.name
  } is changed through git: approval commits these files to ${url} (branch ${branch}, folder ${folder}) and a GitOps tool applies them; Tracegate only reads the cluster. The diff is of the files, not a server-side dry run.${
    candidate.method === 'ebpf'
      ? ` Each change of Beyla's config replaces Beyla on every node, ${cluster.beyla.maxParallelRestarts} node(s) at a time, each new pod ready before the old one stops.`
      : ''
  }`;
}

/** The config ConfigMap the live Beyla DaemonSet names, if there is one. */
function currentBeylaConfig(plan: ClusterPlan): ObjectRef | undefined {
  for (const action of plan.actions) {
    if (action.type !== 'update' || action.live.kind !== 'DaemonSet') continue;
    const name = configMapOfBeylaPod(
      (action.live.spec as { template?: object } | undefined)?.template ?? {},
    );
    if (name) {
      return {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name, namespace: action.live.metadata.namespace },
      };
    }
  }
  return undefined;
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
