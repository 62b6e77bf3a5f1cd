/**
 * `tracing.clusters[]` read from app-config into ClusterSettings: each key
 * checked, defaulted and named in its error at start-up; the Beyla version
 * and its dialect resolved from the image.
 */
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { Config, readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds } from '@backstage/types';
import fs from 'node:fs';
import {
  BEYLA_DEFAULT_EXCLUDED_NAMESPACES,
  beylaFeatures,
  BeylaVersion,
  DEFAULT_BEYLA_IMAGE,
  formatBeylaVersion,
  imageTag,
  parseBeylaVersion,
} from './beylaVersion';

/** Beyla's namespace unless `beyla.namespace` names another. */
export const DEFAULT_BEYLA_NAMESPACE = 'beyla';
/** Where the Grafana datasource goes unless `tempo.datasourceNamespace` says. */
export const DEFAULT_DATASOURCE_NAMESPACE = 'monitoring';

/** Tempo settings of one cluster. */
export type TempoSettings = {
  /** `host:port`, no scheme (Prometheus needs it bare). */
  otlpEndpoint: string;
  protocol: 'grpc' | 'http/protobuf';
  /** Plain text (true) or TLS. */
  insecure: boolean;
  /** Sent with every export, e.g. `X-Scope-OrgID` for a multi-tenant Tempo. */
  headers: Record<string, string>;
  /** PEM of the CA that signed the endpoint's certificate (TLS only). */
  caPem?: string;
  grafanaUrl?: string;
  datasourceUid: string;
  queryUrl?: string;
  datasourceNamespace: string;
};

/**
 * Where Tracegate reads a cluster's traces back (recent traces, the
 * "traces arriving" check). Only the backend talks to it.
 */
export type TraceStoreSettings = {
  type: 'tempo' | 'jaeger';
  /** Base URL of the query API, e.g. http://tempo-query-frontend.tempo.svc:3200. */
  url: string;
  /** Sent with every query, e.g. `X-Scope-OrgID`; never shown to users. */
  headers: Record<string, string>;
  /** Jaeger UI base URL, for links to a trace (Tempo links go to Grafana). */
  uiUrl?: string;
};

/** Beyla settings of one cluster. */
export type BeylaSettings = {
  namespace: string;
  image: string;
  /** From the image tag, or `beyla.version` when pinned by digest. */
  version: BeylaVersion;
  /** Derived from the version: `instrument` from 2.5.0, else `services`. */
  dialect: 'instrument' | 'services';
  /** A sampler per discovery entry (Beyla >= 2.5.3), or one shared one. */
  perEntrySampler: boolean;
  privileged: boolean;
  /** Namespaces of Beyla's default exclusion that may be instrumented here. */
  allowExcludedNamespaces: string[];
  /** Namespaces Beyla will not instrument here: its defaults less those. */
  excludedNamespaces: string[];
  /** How long a DaemonSet rollout may take before its requests fail. */
  rolloutDeadlineMs: number;
  /**
   * Beyla pods' PriorityClass (`system-node-critical` by default), so a full
   * node makes room for Beyla; empty: none.
   */
  priorityClassName: string;
  /** Beyla pods a pass restarts at once, each on another node. */
  maxParallelRestarts: number;
  /**
   * Configs Beyla's pods may run at once (nodes a change did not concern keep
   * theirs); past it the nodes on the oldest are restarted to the current one.
   */
  maxConfigVersions: number;
};

/** How to reach one cluster's API server. */
export type ClusterConnection =
  | {
      authProvider: 'serviceAccount';
      url: string;
      token: string;
      caData?: string;
      caFile?: string;
      skipTLSVerify: boolean;
    }
  | { authProvider: 'kubeconfig'; file: string; context?: string }
  | { authProvider: 'inCluster' };

/** One entry of `tracing.clusters`, with defaults filled in. */
export type ClusterSettings = {
  name: string;
  connection: ClusterConnection;
  tempo: TempoSettings;
  beyla: BeylaSettings;
  /** The trace store, when one is configured (`traces`, or `tempo.queryUrl`). */
  traces?: TraceStoreSettings;
  /**
   * `Prometheus` CRs the platform assigns to catalog entities, beside those
   * the entities' own annotations select.
   */
  prometheusInstances: PrometheusInstance[];
  /** How the rendered objects reach the cluster. */
  delivery: DeliverySettings;
};

/**
 * `apply`: Tracegate applies with server-side apply. `git`: it commits the
 * same objects as files to a repository that a GitOps tool (Argo CD, Flux)
 * applies, and only reads the cluster.
 */
export type DeliverySettings = { type: 'apply' } | GitDeliverySettings;

/** `tracing.clusters[].delivery` with `type: git`. */
export type GitDeliverySettings = {
  type: 'git';
  /** http(s) URL of the repository, without credentials. */
  url: string;
  branch: string;
  /** Folder in the repository, relative, no `..`; Tracegate's files only. */
  folder: string;
  /** From config; else looked up in `integrations` by the URL at use. */
  credentials?: { username: string; token: string };
  author: { name: string; email: string };
};

/** One `tracing.clusters[].prometheusInstances` entry. */
export type PrometheusInstance = {
  namespace: string;
  name: string;
  /** Full entity ref, e.g. `component:default/prometheus-k8s`. */
  entityRef: string;
};

/** Reads `tracing.clusters` (schema: config.d.ts). */
export function readClusterSettings(config: Config): ClusterSettings[] {
  const clusters = readEachCluster(config);
  // Two clusters writing one folder would overwrite each other's files.
  const folders = new Map<string, string>();
  for (const { name, delivery } of clusters) {
    if (delivery.type !== 'git') continue;
    const where = `${delivery.url} ${delivery.branch} ${delivery.folder}`;
    const other = folders.get(where);
    if (other) {
      throw new Error(
        `tracing.clusters[${name}].delivery.git.folder: cluster ${other} writes the same folder of the same branch (${delivery.folder}); give each cluster its own`,
      );
    }
    folders.set(where, name);
  }
  return clusters;
}

function readEachCluster(config: Config): ClusterSettings[] {
  return (config.getOptionalConfigArray('tracing.clusters') ?? []).map(c => {
    const name = c.getString('name');
    const authProvider =
      c.getOptionalString('authProvider') ?? 'serviceAccount';
    let connection: ClusterConnection;
    if (authProvider === 'kubeconfig') {
      connection = {
        authProvider,
        file: c.getString('kubeconfig.file'),
        context: c.getOptionalString('kubeconfig.context'),
      };
    } else if (authProvider === 'inCluster') {
      connection = { authProvider };
    } else if (authProvider === 'serviceAccount') {
      const url = c.getOptionalString('url');
      if (!url) {
        throw new Error(
          `tracing.clusters[${name}].url: required with authProvider serviceAccount`,
        );
      }
      connection = {
        authProvider,
        url,
        token: c.getOptionalString('serviceAccountToken') ?? '',
        caData: c.getOptionalString('caData'),
        caFile: c.getOptionalString('caFile'),
        skipTLSVerify: c.getOptionalBoolean('skipTLSVerify') ?? false,
      };
    } else {
      throw new Error(
        `tracing.clusters[${name}].authProvider: unknown provider ${authProvider}`,
      );
    }
    const tempo = readTempoSettings(c, `tracing.clusters[${name}].tempo`);
    return {
      name,
      connection,
      tempo,
      traces: readTraceStoreSettings(
        c,
        `tracing.clusters[${name}].traces`,
        tempo,
      ),
      beyla: readBeylaSettings(c, `tracing.clusters[${name}].beyla`),
      prometheusInstances: readPrometheusInstances(
        c,
        `tracing.clusters[${name}].prometheusInstances`,
      ),
      delivery: readDelivery(c, name, tempo),
    };
  });
}

/** A git branch name git itself would take (`git check-ref-format`, simplified). */
const BRANCH =
  /^(?!.*\.\.)(?!.*\/\/)(?!\/)(?!.*\/$)(?!.*\.lock$)[A-Za-z0-9._/-]+$/;
/** A relative folder of plain segments. */
const FOLDER = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;

function readDelivery(
  c: Config,
  cluster: string,
  tempo: TempoSettings,
): DeliverySettings {
  const key = `tracing.clusters[${cluster}].delivery`;
  const type = c.getOptionalString('delivery.type') ?? 'apply';
  if (type === 'apply') return { type };
  if (type !== 'git') {
    throw new Error(`${key}.type: must be apply or git (got ${type})`);
  }
  const url = c.getString('delivery.git.url');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`${key}.git.url: not a URL (got ${url})`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new Error(`${key}.git.url: must be an http(s) URL (got ${url})`);
  }
  if (parsed.username || parsed.password) {
    throw new Error(
      `${key}.git.url: must not hold credentials; set ${key}.git.username and token, or an integration`,
    );
  }
  const branch = c.getOptionalString('delivery.git.branch') ?? 'main';
  if (!BRANCH.test(branch)) {
    throw new Error(`${key}.git.branch: not a branch name (got ${branch})`);
  }
  const folder = (
    c.getOptionalString('delivery.git.folder') ?? `tracegate/${cluster}`
  ).replace(/\/+$/, '');
  if (
    !FOLDER.test(folder) ||
    folder
      .split('/')
      .some(part => part === '.' || part === '..' || part === '.git')
  ) {
    throw new Error(
      `${key}.git.folder: must be a relative folder without . or .. (got ${folder})`,
    );
  }
  const token = c.getOptionalString('delivery.git.token');
  if (Object.keys(tempo.headers).length) {
    // Files in git are read by whoever reads the repository.
    throw new Error(
      `tracing.clusters[${cluster}].tempo.headers: not written to git (they may hold a credential); with delivery git, add them to Beyla and Prometheus through your GitOps tool's secrets`,
    );
  }
  return {
    type,
    url,
    branch,
    folder,
    ...(token
      ? {
          credentials: {
            username: c.getOptionalString('delivery.git.username') ?? 'git',
            token,
          },
        }
      : {}),
    author: {
      name: c.getOptionalString('delivery.git.authorName') ?? 'Tracegate',
      email:
        c.getOptionalString('delivery.git.authorEmail') ??
        'tracegate@backstage.invalid',
    },
  };
}

function readPrometheusInstances(c: Config, key: string): PrometheusInstance[] {
  return (c.getOptionalConfigArray('prometheusInstances') ?? []).map(
    (entry, i) => {
      const ref = entry.getString('entityRef');
      let entityRef: string;
      try {
        entityRef = stringifyEntityRef(
          parseEntityRef(ref, {
            defaultKind: 'component',
            defaultNamespace: 'default',
          }),
        );
      } catch (error) {
        throw new Error(`${key}[${i}].entityRef: ${(error as Error).message}`);
      }
      return {
        namespace: entry.getString('namespace'),
        name: entry.getString('name'),
        entityRef,
      };
    },
  );
}

/** `host:port` with a DNS name, IPv4 or [IPv6] host and nothing else. */
const HOST_PORT =
  /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?):(\d{1,5})$/;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const HEADER_VALUE = /^[\x20-\x7e]*$/;

function readTempoSettings(c: Config, key: string): TempoSettings {
  const otlpEndpoint =
    c.getOptionalString('tempo.otlpEndpoint') ??
    'tempo-distributor.tempo.svc:4317';
  const hostPort = HOST_PORT.exec(otlpEndpoint);
  if (!hostPort) {
    throw new Error(
      `${key}.otlpEndpoint: must be host:port with no scheme or path (got ${otlpEndpoint}); Prometheus sends nothing to an endpoint with a scheme, and Beyla's scheme comes from tempo.insecure`,
    );
  }
  const protocol = c.getOptionalString('tempo.protocol') ?? 'grpc';
  if (protocol !== 'grpc' && protocol !== 'http/protobuf') {
    throw new Error(
      `${key}.protocol: must be grpc or http/protobuf (got ${protocol})`,
    );
  }
  const port = hostPort[3];
  if (
    (protocol === 'grpc' && port === '4318') ||
    (protocol === 'http/protobuf' && port === '4317')
  ) {
    throw new Error(
      `${key}.protocol: ${protocol} on port ${port} contradicts the OTLP convention (gRPC 4317, HTTP 4318)`,
    );
  }
  const headers = readHeaders(c, 'tempo.headers', `${key}.headers`);
  const insecure = c.getOptionalBoolean('tempo.insecure') ?? true;
  const caData = c.getOptionalString('tempo.caData');
  const caFile = c.getOptionalString('tempo.caFile');
  let caPem: string | undefined;
  if (caData) caPem = Buffer.from(caData, 'base64').toString('utf8');
  if (caFile) caPem = fs.readFileSync(caFile, 'utf8');
  if (caPem !== undefined) {
    if (insecure) {
      throw new Error(
        `${key}.caData: a CA needs TLS; set ${key}.insecure to false`,
      );
    }
    if (!caPem.includes('-----BEGIN CERTIFICATE-----')) {
      throw new Error(`${key}.caData: not a PEM certificate`);
    }
  }
  return {
    otlpEndpoint,
    protocol,
    insecure,
    headers,
    caPem,
    grafanaUrl: c.getOptionalString('tempo.grafanaUrl'),
    datasourceUid: c.getOptionalString('tempo.datasourceUid') ?? 'tempo',
    queryUrl: c.getOptionalString('tempo.queryUrl'),
    datasourceNamespace:
      c.getOptionalString('tempo.datasourceNamespace') ??
      DEFAULT_DATASOURCE_NAMESPACE,
  };
}

function readHeaders(
  c: Config,
  configKey: string,
  key: string,
): Record<string, string> {
  const headers: Record<string, string> = {};
  const headerConfig = c.getOptionalConfig(configKey);
  for (const name of headerConfig?.keys() ?? []) {
    const value = headerConfig!.getString(name);
    if (!HEADER_NAME.test(name) || !HEADER_VALUE.test(value)) {
      throw new Error(`${key}.${name}: not a valid HTTP header`);
    }
    headers[name] = value;
  }
  return headers;
}

/** `traces`, or else a Tempo store at `tempo.queryUrl` with Tempo's headers. */
function readTraceStoreSettings(
  c: Config,
  key: string,
  tempo: TempoSettings,
): TraceStoreSettings | undefined {
  if (!c.has('traces')) {
    return tempo.queryUrl
      ? { type: 'tempo', url: tempo.queryUrl, headers: tempo.headers }
      : undefined;
  }
  const type = c.getString('traces.type');
  if (type !== 'tempo' && type !== 'jaeger') {
    throw new Error(`${key}.type: must be tempo or jaeger (got ${type})`);
  }
  const url = c.getString('traces.url');
  const uiUrl = c.getOptionalString('traces.uiUrl');
  for (const [field, value] of [
    ['url', url],
    ['uiUrl', uiUrl],
  ] as const) {
    if (value !== undefined && !/^https?:\/\/[^\s]+$/.test(value)) {
      throw new Error(`${key}.${field}: must be an http(s) URL (got ${value})`);
    }
  }
  return {
    type,
    url: url.replace(/\/+$/, ''),
    headers: readHeaders(c, 'traces.headers', `${key}.headers`),
    ...(uiUrl ? { uiUrl: uiUrl.replace(/\/+$/, '') } : {}),
  };
}

function readBeylaSettings(c: Config, key: string): BeylaSettings {
  const image = c.getOptionalString('beyla.image') ?? DEFAULT_BEYLA_IMAGE;
  const explicit = c.getOptionalString('beyla.version');
  const tag = imageTag(image);
  const fromTag = tag ? parseBeylaVersion(tag) : undefined;
  let version: BeylaVersion | undefined;
  if (explicit !== undefined) {
    version = parseBeylaVersion(explicit);
    if (!version) {
      throw new Error(
        `${key}.version: not a version like 3.33.0 (got ${explicit})`,
      );
    }
    if (
      fromTag &&
      formatBeylaVersion(fromTag) !== formatBeylaVersion(version)
    ) {
      throw new Error(
        `${key}.version: ${explicit} contradicts the image tag ${tag}`,
      );
    }
  } else {
    version = fromTag;
    if (!version) {
      throw new Error(
        `${key}.version: required when ${key}.image (${image}) has no version tag, e.g. when pinned by digest`,
      );
    }
  }
  const features = beylaFeatures(version);
  const dialect = c.getOptionalString('beyla.dialect') ?? features.dialect;
  if (dialect !== 'instrument' && dialect !== 'services') {
    throw new Error(
      `${key}.dialect: must be instrument or services (got ${dialect})`,
    );
  }
  if (dialect === 'instrument' && features.dialect !== 'instrument') {
    throw new Error(
      `${key}.dialect: Beyla ${formatBeylaVersion(
        version,
      )} has no discovery.instrument (from 2.5.0); leave dialect out to follow the version`,
    );
  }
  const allowExcludedNamespaces =
    c.getOptionalStringArray('beyla.allowExcludedNamespaces') ?? [];
  return {
    namespace:
      c.getOptionalString('beyla.namespace') ?? DEFAULT_BEYLA_NAMESPACE,
    image,
    version,
    dialect,
    perEntrySampler: dialect === 'instrument' && features.perEntrySampler,
    privileged: c.getOptionalBoolean('beyla.privileged') ?? true,
    allowExcludedNamespaces,
    excludedNamespaces: BEYLA_DEFAULT_EXCLUDED_NAMESPACES.filter(
      ns => !allowExcludedNamespaces.includes(ns),
    ),
    priorityClassName: readPriorityClassName(c, key),
    maxParallelRestarts: positiveInteger(
      c,
      'beyla.maxParallelRestarts',
      10,
      key,
    ),
    maxConfigVersions: positiveInteger(c, 'beyla.maxConfigVersions', 8, key),
    rolloutDeadlineMs: durationToMilliseconds(
      c.has('beyla.rolloutDeadline')
        ? readDurationFromConfig(c, { key: 'beyla.rolloutDeadline' })
        : { minutes: 5 },
    ),
  };
}

/** `beyla.priorityClassName`: a name, or false for none. */
function readPriorityClassName(c: Config, key: string): string {
  const value = c.getOptional('beyla.priorityClassName');
  if (value === undefined) return 'system-node-critical';
  if (value === false) return '';
  if (
    typeof value !== 'string' ||
    !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(value)
  ) {
    throw new Error(
      `${key}.priorityClassName: must be a PriorityClass name or false (got ${value})`,
    );
  }
  return value;
}

function positiveInteger(
  c: Config,
  configKey: string,
  fallback: number,
  key: string,
): number {
  const value = c.getOptionalNumber(configKey) ?? fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(
      `${key}.${configKey
        .split('.')
        .pop()}: must be a whole number of at least 1 (got ${value})`,
    );
  }
  return value;
}
