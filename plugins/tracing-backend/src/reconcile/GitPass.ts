/**
 * One pass over a cluster whose delivery is git: the same plan as an apply
 * pass (clusterPlan), written as files to the repository instead of to the
 * cluster (gitops/), then the cluster read, never written, to say for each
 * request whether a GitOps tool applied what was committed and Beyla runs it.
 */
import { describeKubeError } from '../clusters/errors';
import { GitDelivery } from '../gitops/GitDelivery';
import {
  changedRequestIds,
  commitMessage,
  manifestFiles,
} from '../gitops/manifestFiles';
import { blockingError, PlanAction } from '../plan';
import { describeObject, KubeObject } from '../render/types';
import {
  followBeyla,
  LeaseLostError,
  PassOptions,
  PassOutcome,
  planPass,
} from './ClusterPass';
import { recordObjects } from './passRecords';

export async function runGitPass(
  options: PassOptions & { delivery: GitDelivery },
): Promise<PassOutcome> {
  const { cluster, requests, delivery } = options;
  const { outcome, planned } = await planPass(options);
  // A missing Prometheus CR or an object in the way stops its requests, as
  // in an apply pass; an unreadable cluster does not stop the commit.
  for (const action of planned.plan.actions) {
    if (action.type !== 'missing' && action.type !== 'conflict') continue;
    const message = describeKubeError(blockingError(action));
    if (!action.requestIds.length) outcome.clusterErrors.push(message);
    for (const id of action.requestIds) outcome.errors[id] ??= message;
  }
  const written = planned.plan.actions.filter(
    (a): a is PlanAction & { object: KubeObject } =>
      (a.type === 'create' ||
        a.type === 'update' ||
        a.type === 'none' ||
        a.type === 'unreadable') &&
      (!a.requestIds.length || a.requestIds.some(id => !outcome.errors[id])),
  );
  const files = manifestFiles(
    cluster.name,
    written.map(a => ({
      object: a.object,
      requestIds: a.requestIds.filter(id => !outcome.errors[id]),
    })),
  );

  await options.fence();
  try {
    const published = await delivery.publish(files, before =>
      commitMessage({ cluster: cluster.name, before, after: files, requests }),
    );
    outcome.commit = {
      sha: published.sha,
      committed: published.committed,
      retries: published.retries,
    };
    if (published.committed) {
      for (const id of changedRequestIds(published.before, files)) {
        outcome.appliedFor.add(id);
      }
    }
  } catch (error) {
    if (error instanceof LeaseLostError) throw error;
    const message = `Not delivered: ${(error as Error).message}`;
    outcome.clusterErrors.push(message);
    for (const r of requests) outcome.errors[r.id] ??= message;
    return outcome;
  }

  // What the cluster does not hold yet of what was committed.
  outcome.notOnCluster = new Map();
  for (const action of written) {
    if (action.type === 'unreadable') {
      const message = describeKubeError(action.error);
      for (const id of action.requestIds) outcome.errors[id] ??= message;
    } else if (action.type === 'create' || action.type === 'update') {
      for (const id of action.requestIds) {
        const missing = outcome.notOnCluster.get(id) ?? [];
        missing.push(
          `${describeObject(action.object)} ${
            action.type === 'create' ? 'not on the cluster' : 'differs'
          }`,
        );
        outcome.notOnCluster.set(id, missing);
      }
    }
  }
  // Read only: the DaemonSet controller rolls Beyla (RollingUpdate).
  await followBeyla({ ...options, planned, outcome });
  recordObjects(cluster, planned.plan, outcome);
  return outcome;
}
