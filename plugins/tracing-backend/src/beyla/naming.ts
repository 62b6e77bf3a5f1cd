import {
  BeylaNaming,
  BeylaServiceName,
  kubernetesIdentity,
  TracingRequest,
} from '@tracegate/plugin-tracing-common';
import { formatBeylaVersion } from '../clusters/beylaVersion';
import { ClusterSettings } from '../clusters/config';
import { discoveryEntryName } from '../render/beylaConfig';
import { KubeObject } from '../render/types';
import { isTargetPod } from './selection';
import {
  beylaNamingRules,
  beylaServiceName,
  overriddenKubernetesAttributes,
  PodShape,
  podShapeOfPod,
  podShapeOfWorkload,
} from './serviceName';

/**
 * What Beyla will call an eBPF target's spans on this cluster: from the
 * workload's pod template, and from its running pods where they differ (a
 * pod started from an older template, an env var only the pod resolves).
 * Pure: the caller reads the workload and its pods.
 */
export function beylaNaming(
  cluster: ClusterSettings,
  target: Pick<TracingRequest, 'method' | 'namespace' | 'workload'>,
  workload: KubeObject,
  pods: KubeObject[] = [],
): BeylaNaming {
  const rules = beylaNamingRules(cluster.beyla.version);
  const entryName = discoveryEntryName(target, cluster.beyla);
  const { kind, name } = target.workload;
  const namesOf = (shape: PodShape) =>
    shape.containers.map(c =>
      beylaServiceName(shape, c.name, rules, entryName),
    );
  const template = podShapeOfWorkload(workload);
  const names = namesOf(template);
  const running = pods
    .map(p => podShapeOfPod(p as Parameters<typeof podShapeOfPod>[0]))
    .filter(shape => isTargetPod(target, shape));
  let differing = 0;
  for (const shape of running) {
    const extra = namesOf(shape).filter(
      n => !names.some(known => sameName(known, n)),
    );
    if (extra.length) differing += 1;
    names.push(...extra);
  }
  if (rules.envFromAnyPodOfOwner) markAmbiguous(names);
  const identity = new Set(
    (kubernetesIdentity(target) ?? []).map(i => i.attribute),
  );
  const overrides = [
    ...new Set(
      [template, ...running].flatMap(shape =>
        overriddenKubernetesAttributes(shape, rules)
          .filter(o => identity.has(o.attribute))
          .map(o => `${o.attribute}=${o.value} (${o.source})`),
      ),
    ),
  ];
  return {
    from: `the pod template of ${kind} ${target.namespace}/${name}${
      differing
        ? ` and ${differing} running pod${differing > 1 ? 's' : ''}`
        : ''
    }, Beyla ${formatBeylaVersion(cluster.beyla.version)}`,
    names,
    ...(overrides.length ? { overrides } : {}),
  };
}

/** Beyla before 2.6 may give one pod's name to all: say so where they differ. */
function markAmbiguous(names: BeylaServiceName[]) {
  for (const n of names) {
    const others = names.filter(
      o => o.container === n.container && o.name !== n.name,
    );
    if (others.length) {
      n.unresolved = `this Beyla takes a container's env from any pod of the workload, so ${[
        n.name,
        ...others.map(o => o.name),
      ].join(' or ')} may apply to all of them`;
    }
  }
}

function sameName(a: BeylaServiceName, b: BeylaServiceName) {
  return (
    a.container === b.container &&
    a.name === b.name &&
    a.namespace === b.namespace &&
    a.unresolved === b.unresolved
  );
}
