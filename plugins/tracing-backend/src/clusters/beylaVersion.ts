/** A Beyla release, as `major.minor.patch`. */
export type BeylaVersion = { major: number; minor: number; patch: number };

/** The image Tracegate deploys unless a cluster names another. */
export const DEFAULT_BEYLA_IMAGE = 'grafana/beyla:3.33.0';

/**
 * Namespaces Beyla never instruments unless its `default_exclude_instrument`
 * is overridden, even when an entry selects them (Beyla 3.33.0,
 * pkg/services/criteria.go, K8sDefaultNamespacesGlob).
 */
export const BEYLA_DEFAULT_EXCLUDED_NAMESPACES = [
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
] as const;

/** The rest of Beyla's default exclusions, kept when namespaces are allowed. */
export const BEYLA_DEFAULT_EXCLUDED_EXE_PATHS =
  '{*beyla,*alloy,*prometheus-config-reloader,*ebpf-instrument,*obi,*otelcol,*otelcol-contrib,*otelcol-contrib[!/]*}';
export const BEYLA_DEFAULT_EXCLUDED_CONTAINERS =
  '{beyla,ebpf-instrument,obi,alloy,prometheus-config-reloader,otelcol,otelcol-contrib}';

/** `2.5.3`, `v3.33.0`, `3.33.0-rc1` → the version; anything else undefined. */
export function parseBeylaVersion(text: string): BeylaVersion | undefined {
  const match = /^v?(\d+)\.(\d+)\.(\d+)(?:[-+][0-9A-Za-z.-]+)?$/.exec(text);
  if (!match) return undefined;
  return { major: +match[1], minor: +match[2], patch: +match[3] };
}

/** The tag of an image reference, unless it is pinned by digest. */
export function imageTag(image: string): string | undefined {
  if (image.includes('@')) return undefined;
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  return colon === -1 ? undefined : image.slice(colon + 1);
}

/** Whether `version` is at least `major.minor.patch`. */
export function atLeast(
  version: BeylaVersion,
  major: number,
  minor: number,
  patch: number,
): boolean {
  if (version.major !== major) return version.major > major;
  if (version.minor !== minor) return version.minor > minor;
  return version.patch >= patch;
}

export function formatBeylaVersion(v: BeylaVersion): string {
  return `${v.major}.${v.minor}.${v.patch}`;
}

/**
 * What a Beyla version reads (checked with Beyla's own loader, see the
 * README): `discovery.instrument` (globs) from 2.5.0, earlier only
 * `discovery.services` (regular expressions); a `sampler` inside an
 * instrument entry from 2.5.3 (2.5.0-2.5.2 stop at start-up on it).
 */
export function beylaFeatures(version: BeylaVersion) {
  const instrument = atLeast(version, 2, 5, 0);
  return {
    dialect: instrument ? ('instrument' as const) : ('services' as const),
    perEntrySampler: atLeast(version, 2, 5, 3),
  };
}
