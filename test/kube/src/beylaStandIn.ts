/**
 * The demo's stand-in for Beyla's decisions, following Beyla's own code
 * rather than Tracegate's (it imports nothing of Tracegate):
 * - what a pod's spans carry (`service.name`, `service.namespace`, the
 *   Kubernetes attributes) is looked up in the oracle's fixtures
 *   (test/beyla-oracle): Beyla's own naming of the same pod shape. A pod
 *   whose shape the oracle was not asked about gets no spans, and says so.
 * - which discovery entry selects a process is matched here, the way
 *   Beyla's matcher does (globs, or regular expressions in the legacy
 *   dialect; the owner as Beyla's informer names it; pod labels; open ports;
 *   the default exclusions). `beylaStandIn.test.ts` checks this against every
 *   decision in the fixtures.
 */
import {
  OracleFixture,
  OraclePodCase,
  readOracleFixtures,
  readOracleInputPods,
} from '@internal/beyla-oracle';

/** A pod as the API server returns it, the parts read here. */
export type StandInPod = {
  metadata: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: Array<{
      apiVersion?: string;
      kind: string;
      name: string;
    }>;
  };
  spec?: {
    nodeName?: string;
    containers?: Array<{
      name: string;
      env?: Array<{ name: string; value?: string }>;
      ports?: Array<{ containerPort?: number }>;
    }>;
  };
};

/** One discovery entry of `beyla-config.yml`, as parsed YAML. */
export type StandInEntry = Record<string, unknown> & {
  name?: string;
  sampler?: { name?: string; arg?: string };
};

/**
 * Namespaces Beyla excludes unless `default_exclude_*` is set
 * (pkg/services/criteria.go, `K8sDefaultNamespacesGlob`, Beyla 3.33.0).
 */
const DEFAULT_EXCLUDED_NAMESPACES = [
  'kube-system',
  'kube-node-lease',
  'local-path-storage',
  'grafana-alloy',
  'cert-manager',
  'monitoring',
  'gke-connect',
  'gke-gmp-system',
  'gke-managed-cim',
  'gke-managed-filestorecsi',
  'gke-managed-metrics-server',
  'gke-managed-system',
  'gke-system',
  'gke-managed-volumepopulator',
  'gatekeeper-system',
];

const OWNER_KEYS: Record<string, string> = {
  k8s_deployment_name: 'Deployment',
  k8s_statefulset_name: 'StatefulSet',
  k8s_daemonset_name: 'DaemonSet',
  k8s_replicaset_name: 'ReplicaSet',
};

/** The pod's owners as Beyla's informer lists them (its `ownersFrom`). */
function owners(pod: StandInPod): Array<{ kind: string; name: string }> {
  const refs = pod.metadata.ownerReferences ?? [];
  const out: Array<{ kind: string; name: string }> = [];
  for (const ref of refs) {
    out.push({ kind: ref.kind, name: ref.name });
    const cut = ref.name.lastIndexOf('-');
    if (ref.kind === 'ReplicaSet' && cut > 0) {
      out.push({ kind: 'Deployment', name: ref.name.slice(0, cut) });
      break;
    }
  }
  return out;
}

/** A glob of Beyla's (`*`, `?`, `{a,b}`), or a legacy regular expression. */
function matcher(pattern: string, legacy: boolean): RegExp {
  if (legacy) return new RegExp(pattern);
  let body = '';
  for (const c of pattern) {
    if (c === '*') body += '.*';
    else if (c === '?') body += '.';
    else if (c === '{') body += '(?:';
    else if (c === '}') body += ')';
    else if (c === ',') body += '|';
    else body += c.replace(/[.+^$()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${body}$`, 's');
}

function portsMatch(openPorts: unknown, ports: number[]): boolean {
  return String(openPorts)
    .split(',')
    .some(range => {
      const [low, high = low] = range.split('-').map(Number);
      return ports.some(p => p >= low && p <= high);
    });
}

/** Whether one entry selects a process of the pod listening on `ports`. */
function entrySelects(
  entry: StandInEntry,
  pod: StandInPod,
  ports: number[],
  legacy: boolean,
): boolean {
  const podOwners = owners(pod);
  for (const [key, value] of Object.entries(entry)) {
    if (key === 'name' || key === 'sampler') continue;
    if (key === 'open_ports') {
      if (!portsMatch(value, ports)) return false;
    } else if (key === 'k8s_namespace') {
      if (!matcher(String(value), legacy).test(pod.metadata.namespace ?? ''))
        return false;
    } else if (OWNER_KEYS[key]) {
      const owner = podOwners.find(o => o.kind === OWNER_KEYS[key]);
      if (!owner || !matcher(String(value), legacy).test(owner.name))
        return false;
    } else if (key === 'k8s_pod_labels') {
      for (const [label, pattern] of Object.entries(
        value as Record<string, string>,
      )) {
        const actual = pod.metadata.labels?.[label];
        if (actual === undefined || !matcher(pattern, legacy).test(actual))
          return false;
      }
    } else {
      return false; // a selector this stand-in does not know: select nothing
    }
  }
  return true;
}

/** The namespaces excluded by the config (its own list, or Beyla's default). */
function excludedNamespaces(discovery: Record<string, unknown>): RegExp[] {
  const own = (discovery.default_exclude_instrument ??
    discovery.default_exclude_services) as StandInEntry[] | undefined;
  const legacy = !discovery.instrument;
  if (!own) {
    return DEFAULT_EXCLUDED_NAMESPACES.map(ns => matcher(ns, false));
  }
  return own
    .filter(e => typeof e.k8s_namespace === 'string')
    .map(e => matcher(e.k8s_namespace as string, legacy));
}

/**
 * The entry that selects a process of `pod` listening on `ports` (the last
 * one whose sampler and name apply), or undefined.
 */
export function standInSelection(
  config: { discovery?: Record<string, unknown> },
  pod: StandInPod,
  ports: number[],
): { index: number; entry: StandInEntry } | undefined {
  const discovery = config.discovery ?? {};
  const legacy = !discovery.instrument;
  const entries = (discovery.instrument ??
    discovery.services ??
    []) as StandInEntry[];
  if (
    excludedNamespaces(discovery).some(ns =>
      ns.test(pod.metadata.namespace ?? ''),
    )
  ) {
    return undefined;
  }
  let found: { index: number; entry: StandInEntry } | undefined;
  entries.forEach((entry, index) => {
    if (entrySelects(entry, pod, ports, legacy)) found = { index, entry };
  });
  return found;
}

/** What Beyla reads of a pod for naming, as one comparable string. */
export function podShapeKey(pod: StandInPod): string {
  const { 'pod-template-hash': _hash, ...labels } = pod.metadata.labels ?? {};
  return JSON.stringify({
    namespace: pod.metadata.namespace,
    owners: owners(pod).filter(o => o.kind !== 'ReplicaSet'),
    labels: Object.entries(labels).sort(),
    annotations: Object.entries(pod.metadata.annotations ?? {}).sort(),
    containers: (pod.spec?.containers ?? []).map(c => ({
      name: c.name,
      env: c.env ?? [],
    })),
  });
}

/** The oracle's naming for Beyla `version`, by pod shape. */
export class OracleNames {
  private readonly byShape = new Map<string, OraclePodCase>();
  private readonly fixture: OracleFixture;

  constructor(version: string) {
    const fixtures = readOracleFixtures();
    this.fixture =
      fixtures.find(f => f.beyla === version) ?? fixtures[fixtures.length - 1];
    for (const podCase of readOracleInputPods()) {
      this.byShape.set(podShapeKey(podCase.pod), podCase);
    }
  }

  /** The Beyla version whose fixture names the pods. */
  get beyla(): string {
    return this.fixture.beyla;
  }

  /**
   * The resource attributes of spans from `container` of `pod`, as Beyla
   * exports them with an entry that names nothing (the `instrument`
   * dialect). Undefined when the oracle never saw this pod's shape.
   */
  resourceOf(
    pod: StandInPod,
    container: string,
  ): Record<string, string> | undefined {
    const podCase = this.byShape.get(podShapeKey(pod));
    const decision =
      podCase && this.fixture.naming[`${podCase.id}/${container}`];
    if (!decision?.attributes) return undefined;
    const resource: Record<string, string> = {};
    for (const [key, value] of Object.entries(decision.attributes)) {
      // Beyla's own values for this pod, not the oracle's example pod.
      if (/^k8s\.(pod|node|replicaset)\./.test(key)) continue;
      if (key === 'service.instance.id' || key === 'k8s.cluster.name') continue;
      resource[key] = value;
    }
    resource['k8s.pod.name'] = pod.metadata.name ?? '';
    resource['k8s.node.name'] = pod.spec?.nodeName ?? '';
    return resource;
  }
}
