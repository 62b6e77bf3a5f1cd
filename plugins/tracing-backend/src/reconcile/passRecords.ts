/**
 * What status shows after a pass, from the plan and what the pass did: the
 * cluster's objects (Beyla's, shared ones) and each request's own (its
 * Beyla entry, its Prometheus CR), each present or not, with a line why.
 */
import { RecordedObject } from '@tracegate/plugin-tracing-common';
import { formatBeylaVersion } from '../clusters/beylaVersion';
import { ClusterSettings } from '../clusters/config';
import { ClusterPlan, PlanAction } from '../plan';
import { BEYLA_CONFIG_LABEL, BEYLA_NAME, PROMETHEUS_KIND } from '../render';
import { targetKey } from '../render/beylaSelections';
import { KubeObject, objectKey } from '../render/types';
import { PassOutcome } from './ClusterPass';

/** What status shows of the cluster's objects and each request's own. */
export function recordObjects(
  cluster: ClusterSettings,
  plan: ClusterPlan,
  outcome: PassOutcome,
) {
  const row = (
    action: PlanAction & { object: KubeObject },
    detail: string,
  ) => ({
    kind: action.object.kind,
    ...(action.object.metadata.namespace
      ? { namespace: action.object.metadata.namespace }
      : {}),
    name: action.object.metadata.name,
    present:
      action.type === 'none' ||
      action.type === 'update' ||
      outcome.applied.includes(objectKey(action.object)),
    detail,
  });
  for (const action of plan.actions) {
    if (!('object' in action)) continue;
    const { kind, metadata } = action.object;
    if (kind === 'ConfigMap' && metadata.labels?.[BEYLA_CONFIG_LABEL]) {
      const inUse = outcome.beyla?.plan.configsInUse.length ?? 0;
      outcome.beylaObjects.push(
        row(
          action,
          `the current config${
            inUse > 1
              ? `; ${inUse} configs in use by Beyla's pods (nodes a change did not concern keep theirs)`
              : ''
          }`,
        ),
      );
    } else if (kind === 'DaemonSet' && metadata.name === BEYLA_NAME) {
      outcome.beylaObjects.push(row(action, describeNodes(outcome)));
    } else if (kind === PROMETHEUS_KIND.kind) {
      for (const id of action.requestIds) {
        outcome.requestObjects.set(id, [prometheusRow(action)]);
      }
    } else if (
      action.object.metadata.labels?.['app.kubernetes.io/name'] !== BEYLA_NAME
    ) {
      outcome.sharedObjects.push(row(action, deliveredAs(action, outcome)));
    }
  }
  for (const request of outcome.requests) {
    if (request.method !== 'ebpf') continue;
    const present = Boolean(
      outcome.beyla?.selections.targets.has(targetKey(request)),
    );
    outcome.requestObjects.set(request.id, [
      {
        kind: 'Beyla discovery entry',
        name: targetKey(request),
        present,
        detail: present
          ? `in the current config${
              cluster.beyla.perEntrySampler
                ? ''
                : `; the sampler is shared: Beyla ${formatBeylaVersion(
                    cluster.beyla.version,
                  )} has one sampler for all workloads`
            }`
          : 'not in the current config',
      },
    ]);
  }
}

/** How a shared object got to the cluster: applied, or committed to git. */
function deliveredAs(action: PlanAction, outcome: PassOutcome): string {
  if (!outcome.commit) return 'applied';
  const sha = outcome.commit.sha.slice(0, 7);
  return action.type === 'none'
    ? `on the cluster as committed (${sha})`
    : `committed (${sha}), not on the cluster yet`;
}

/** Beyla's nodes in a line: how many run it ready, which do not, what waits. */
function describeNodes(outcome: PassOutcome): string {
  if (!outcome.beyla) return 'not read';
  const { plan, restarted, problems } = outcome.beyla;
  const parts = [
    `${plan.withoutReadyBeyla.length} node${
      plan.withoutReadyBeyla.length === 1 ? '' : 's'
    } without a ready Beyla${
      plan.withoutReadyBeyla.length
        ? `: ${plan.withoutReadyBeyla.slice(0, 5).join(', ')}${
            plan.withoutReadyBeyla.length > 5 ? ', ...' : ''
          }`
        : ''
    }`,
  ];
  if (restarted.length) parts.push(`restarted on ${restarted.join(', ')}`);
  if (plan.waiting.length) {
    parts.push(
      `waiting: ${plan.waiting.map(w => `${w.node}: ${w.reason}`).join('; ')}`,
    );
  }
  if (problems) parts.push(problems);
  return parts.join('; ');
}

/** A Prometheus CR's tracingConfig as the plan read it. */
function prometheusRow(
  action: PlanAction & { object: KubeObject },
): RecordedObject {
  const live = 'live' in action ? action.live : undefined;
  type Spec = {
    tracingConfig?: { endpoint?: string; samplingFraction?: string };
  };
  // What the CR holds after this pass: what it applied, else what it read.
  const tracing = (
    (action.type === 'update' ? action.object.spec : live?.spec) as
      | Spec
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
  return {
    kind: action.object.kind,
    namespace: action.object.metadata.namespace,
    name: action.object.metadata.name,
    present: Boolean(tracing),
    detail,
  };
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
