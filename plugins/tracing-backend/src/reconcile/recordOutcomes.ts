/**
 * What a pass found, recorded: each live request moved through the state
 * machine (`failed` with the reason, `active` once every node that runs its
 * target's pods runs its entry, and through git once the cluster holds what
 * was committed) or its progress noted, and the cluster's
 * state for status. Writes only what changed: an idle pass writes nothing.
 */
import {
  LastApply,
  RolloutState,
  TracingRequest,
} from '@tracegate/plugin-tracing-common';
import { ClusterSettings } from '../clusters/config';
import { ClusterState, ClusterStore } from '../database/ClusterStore';
import { TracingRequestStore } from '../database/TracingRequestStore';
import { RequestTransitions } from '../lifecycle/RequestTransitions';
import { targetKey } from '../render/beylaSelections';
import { PassOutcome } from './ClusterPass';

/** 300000 → "5m", 90000 → "90s". */
function formatDuration(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000}m` : `${Math.round(ms / 1000)}s`;
}

/** How far the request's entry reaches its target's nodes. */
function rolloutOf(
  request: TracingRequest,
  outcome: PassOutcome,
): RolloutState | undefined {
  if (request.method !== 'ebpf' || !outcome.beyla) return undefined;
  const key = targetKey(request);
  const nodes = outcome.beyla.plan.target(key);
  const inConfig = outcome.beyla.selections.targets.has(key);
  const complete = inConfig && nodes.ready.length === nodes.hosting.length;
  const waiting = outcome.beyla.plan.waiting.filter(w =>
    nodes.hosting.includes(w.node),
  );
  const problems = [
    ...nodes.withoutReadyBeyla.map(node =>
      outcome.beyla!.restarted.includes(node)
        ? `restarting Beyla on ${node}`
        : `no ready Beyla on ${node}`,
    ),
    ...waiting.map(w => `${w.node}: ${w.reason}`),
    ...(nodes.withoutReadyBeyla.length && outcome.beyla.problems
      ? [outcome.beyla.problems]
      : []),
  ];
  return {
    desired: nodes.hosting.length,
    updated: nodes.updated.length,
    ready: nodes.ready.length,
    complete,
    ...(problems.length ? { message: problems.join('; ') } : {}),
  };
}

export async function recordOutcomes(options: {
  cluster: ClusterSettings;
  outcome: PassOutcome;
  store: TracingRequestStore;
  transitions: RequestTransitions;
  now: Date;
}) {
  const { cluster, outcome, store, transitions, now } = options;
  for (const request of outcome.requests) {
    // When its own part was last written: the start of its rollout.
    const at =
      outcome.appliedFor.has(request.id) || !request.lastApply
        ? now.toISOString()
        : request.lastApply.at;
    let error = outcome.errors[request.id];
    if (request.method === 'ebpf' && !error && !outcome.beyla) {
      // Beyla's nodes could not be read (see the cluster's errors).
      continue;
    }
    // Git delivery: what the cluster does not hold yet of the commit.
    const notOnCluster = outcome.notOnCluster?.get(request.id);
    let rollout =
      error || notOnCluster ? undefined : rolloutOf(request, outcome);
    // An active request's count of nodes is known only where something
    // changed: keep what it was while its entry runs everywhere.
    if (
      request.status === 'active' &&
      rollout?.complete &&
      request.lastApply?.rollout?.complete
    ) {
      rollout = request.lastApply.rollout;
    }
    const running = !notOnCluster && (!rollout || rollout.complete);
    if (
      !error &&
      rollout &&
      !running &&
      now.getTime() - Date.parse(at) > cluster.beyla.rolloutDeadlineMs
    ) {
      error = `Beyla did not start with its entry on every node that runs its pods within ${formatDuration(
        cluster.beyla.rolloutDeadlineMs,
      )}: ${rollout!.message ?? `${rollout!.ready}/${rollout!.desired} nodes`}`;
    }
    const objects = outcome.requestObjects.get(request.id);
    const lastApply: LastApply = {
      at,
      ...(error ? { error } : {}),
      ...(rollout ? { rollout } : {}),
      ...(objects ? { objects } : {}),
      ...(outcome.commit && !error
        ? {
            commit: {
              sha: outcome.commit.sha,
              onCluster: !notOnCluster,
              ...(notOnCluster ? { waitingFor: notOnCluster.join('; ') } : {}),
            },
          }
        : {}),
    };
    if (error && request.status !== 'failed') {
      await transitions.bySystem(request, 'fail', {
        comment: error,
        lastApply,
      });
    } else if (!error && running && request.status !== 'active') {
      await transitions.bySystem(request, 'activate', { lastApply });
    } else {
      // Same state; a failed request keeps its error while it rolls out.
      if (!error && request.status === 'failed') {
        lastApply.error = request.lastApply?.error;
      }
      if (JSON.stringify(lastApply) !== JSON.stringify(request.lastApply)) {
        await store.recordApply({
          id: request.id,
          status: request.status,
          lastApply,
        });
      }
    }
  }
}

/** The cluster's state after a pass, as status reads it. */
export function clusterStateOf(outcome: PassOutcome, now: Date): ClusterState {
  return {
    at: now.toISOString(),
    beylaObjects: outcome.beylaObjects,
    sharedObjects: outcome.sharedObjects,
    ...(outcome.beyla
      ? {
          beyla: {
            nodes: outcome.beyla.plan.nodes,
            withoutReadyBeyla: outcome.beyla.plan.withoutReadyBeyla,
            configsInUse: outcome.beyla.plan.configsInUse,
            waiting: outcome.beyla.plan.waiting,
          },
        }
      : {}),
    errors: outcome.clusterErrors,
  };
}

/** Records the cluster's state when it differs from the last (not by time alone). */
export async function recordClusterState(
  clusters: ClusterStore,
  cluster: string,
  state: ClusterState,
  last: ClusterState | undefined,
) {
  const { at: _now, ...next } = state;
  const { at: _then, ...previous } = last ?? ({} as ClusterState);
  if (JSON.stringify(next) !== JSON.stringify(previous)) {
    await clusters.recordState(cluster, state);
  }
}
