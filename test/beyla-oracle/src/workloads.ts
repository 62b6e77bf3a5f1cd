/**
 * Workloads of a large cluster, the same every time: for the config-size
 * and approve-to-active benchmarks and for the oracle's large configuration.
 * Names of realistic length (teams, services, environments), mostly
 * Deployments, most with the request form's default sampler
 * (parentbased_traceidratio 0.1), some with another, a few with an open
 * port (the form leaves it empty unless asked).
 */

/** What a request for one workload would hold, in plain terms. */
export type RealisticWorkload = {
  namespace: string;
  kind: 'Deployment' | 'StatefulSet' | 'DaemonSet';
  name: string;
  sampler: string;
  ratio: number;
  openPorts?: string;
};

const TEAMS = [
  'payments',
  'checkout',
  'search',
  'catalog',
  'identity',
  'ledger',
  'risk',
  'fulfilment',
  'pricing',
  'notifications',
  'recommendations',
  'inventory',
  'shipping',
  'loyalty',
  'analytics',
  'billing',
  'messaging',
  'onboarding',
  'compliance',
  'media',
];
const ENVIRONMENTS = ['prod', 'staging', 'eu-west', 'us-east', 'apac'];
const PARTS = [
  'api',
  'worker',
  'gateway',
  'consumer',
  'scheduler',
  'reconciler',
  'indexer',
  'exporter',
  'proxy',
  'frontend',
  'backend',
  'cache',
  'sync',
  'ingest',
  'notifier',
  'resolver',
  'aggregator',
  'processor',
];

/** A small deterministic generator (mulberry32). */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 85 % Deployments, 10 % StatefulSets, 5 % DaemonSets. */
function kindOf(roll: number): RealisticWorkload['kind'] {
  if (roll < 0.85) return 'Deployment';
  return roll < 0.95 ? 'StatefulSet' : 'DaemonSet';
}

/** `count` distinct workloads over about count / 25 namespaces. */
export function realisticWorkloads(
  count: number,
  seed = 42,
): RealisticWorkload[] {
  const next = random(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)];
  const namespaces = Math.max(1, Math.round(count / 25));
  const out: RealisticWorkload[] = [];
  const seen = new Set<string>();
  for (let i = 0; out.length < count; i++) {
    const n = i % namespaces;
    const namespace = `${TEAMS[n % TEAMS.length]}-${
      ENVIRONMENTS[Math.floor(n / TEAMS.length) % ENVIRONMENTS.length]
    }-${String(Math.floor(n / (TEAMS.length * ENVIRONMENTS.length))).padStart(
      2,
      '0',
    )}`;
    const kind = kindOf(next());
    const name = `${pick(TEAMS)}-${pick(PARTS)}-${pick(PARTS)}${
      next() < 0.5 ? `-v${1 + Math.floor(next() * 4)}` : ''
    }`;
    const key = `${namespace}/${kind}/${name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const s = next();
    let sampler = 'parentbased_traceidratio';
    let ratio = 0.1;
    if (s >= 0.85 && s < 0.9) {
      sampler = 'traceidratio';
      ratio = 0.05;
    } else if (s >= 0.9 && s < 0.95) {
      sampler = 'always_on';
      ratio = 1;
    } else if (s >= 0.95) {
      ratio = pick([0.01, 0.25, 0.5]);
    }
    out.push({
      namespace,
      kind,
      name,
      sampler,
      ratio,
      ...(next() < 0.05 ? { openPorts: pick(['8080', '9090']) } : {}),
    });
  }
  return out;
}
