import { KubeConfig } from '@kubernetes/client-node';
import https from 'node:https';
import { FIELD_MANAGER, KubeObject } from '../render/types';
import { ClusterSettings } from './config';
import {
  isNotFound,
  isUnreachableCode,
  KubeApiError,
  KubeCredentialsError,
  KubeTimeoutError,
  KubeUnreachableError,
} from './errors';

/** REST path parts of the kinds Tracegate reads and writes. */
const RESOURCES: Record<string, { plural: string; namespaced: boolean }> = {
  'v1/Namespace': { plural: 'namespaces', namespaced: false },
  'v1/ServiceAccount': { plural: 'serviceaccounts', namespaced: true },
  'v1/ConfigMap': { plural: 'configmaps', namespaced: true },
  'rbac.authorization.k8s.io/v1/ClusterRole': {
    plural: 'clusterroles',
    namespaced: false,
  },
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': {
    plural: 'clusterrolebindings',
    namespaced: false,
  },
  'apps/v1/DaemonSet': { plural: 'daemonsets', namespaced: true },
  'apps/v1/Deployment': { plural: 'deployments', namespaced: true },
  'apps/v1/StatefulSet': { plural: 'statefulsets', namespaced: true },
  'v1/Pod': { plural: 'pods', namespaced: true },
  'v1/Node': { plural: 'nodes', namespaced: false },
  'v1/Event': { plural: 'events', namespaced: true },
  'monitoring.coreos.com/v1/Prometheus': {
    plural: 'prometheuses',
    namespaced: true,
  },
};

/** A kind, and an object of it by name. */
export type KindRef = Pick<KubeObject, 'apiVersion' | 'kind'>;
/** @internal */
export type ObjectRef = KindRef & {
  metadata: { name: string; namespace?: string };
};

/**
 * The few calls Tracegate makes, as plain JSON over HTTPS: objects go out and
 * come back exactly as the API server spells them (the typed client re-keys
 * fields of known kinds). Like Backstage's KubernetesFetcher: one keep-alive
 * agent per cluster, resource paths appended to the server URL's own path (a
 * proxy prefix stays), and failures as typed errors. Credentials stay inside
 * the KubeConfig.
 */
export class KubeApi {
  static fromSettings(
    settings: ClusterSettings,
    options: { timeoutMs?: number } = {},
  ): KubeApi {
    const kc = new KubeConfig();
    const c = settings.connection;
    if (c.authProvider === 'inCluster') {
      kc.loadFromCluster();
    } else if (c.authProvider === 'kubeconfig') {
      kc.loadFromFile(c.file);
      if (c.context) kc.setCurrentContext(c.context);
    } else {
      kc.loadFromOptions({
        clusters: [
          {
            name: settings.name,
            server: c.url,
            caData: c.caData,
            caFile: c.caFile,
            skipTLSVerify: c.skipTLSVerify,
          },
        ],
        users: [{ name: 'tracegate', token: c.token }],
        contexts: [
          { name: settings.name, cluster: settings.name, user: 'tracegate' },
        ],
        currentContext: settings.name,
      });
    }
    const api = new KubeApi(settings.name, kc, options.timeoutMs);
    if (c.authProvider === 'serviceAccount' && !c.token.trim()) {
      // An unset ${VAR} in app-config gives no value: say which key, rather
      // than call the cluster anonymously.
      api.credentialsProblem = `tracing.clusters[${settings.name}].serviceAccountToken is empty or unset (an app-config \${VARIABLE} whose variable is unset gives no value)`;
    }
    return api;
  }

  /** Why no call can carry credentials; set, every call fails with it. */
  private credentialsProblem?: string;

  private readonly server: URL;
  private readonly agent = new https.Agent({ keepAlive: true, maxSockets: 8 });
  /** Calls made so far, for benchmarks and logs: reads, writes and bytes. */
  readonly stats = { reads: 0, writes: 0, bytesSent: 0, bytesReceived: 0 };

  constructor(
    readonly cluster: string,
    private readonly kc: KubeConfig,
    private readonly timeoutMs: number = 10_000,
  ) {
    const server = kc.getCurrentCluster()?.server;
    if (!server) {
      throw new Error(
        `tracing.clusters[${cluster}]: no API server URL (set url, or a kubeconfig context with a server)`,
      );
    }
    this.server = new URL(server);
  }

  async version(): Promise<{ gitVersion: string }> {
    return (await this.request('GET', '/version')) as { gitVersion: string };
  }

  /** The live object, or undefined when it does not exist. */
  async get(ref: ObjectRef): Promise<KubeObject | undefined> {
    try {
      return (await this.request('GET', objectPath(ref))) as KubeObject;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /**
   * Server-side apply as field manager `tracegate`; forced only when the
   * caller understood the conflict (see the reconciler).
   */
  async apply(
    object: KubeObject,
    options: { dryRun?: boolean; force?: boolean } = {},
  ): Promise<KubeObject> {
    const query = new URLSearchParams({
      fieldManager: FIELD_MANAGER,
      force: String(options.force ?? false),
    });
    if (options.dryRun) query.set('dryRun', 'All');
    return (await this.request('PATCH', `${objectPath(object)}?${query}`, {
      body: JSON.stringify(object),
      contentType: 'application/apply-patch+yaml',
    })) as KubeObject;
  }

  /**
   * Deletes the object (gone already is fine). With `uid`, only that very
   * object: a newer one of the same name is left alone (a 409).
   */
  async delete(ref: ObjectRef, options: { uid?: string } = {}): Promise<void> {
    try {
      await this.request(
        'DELETE',
        `${objectPath(ref)}?propagationPolicy=Background`,
        options.uid
          ? {
              body: JSON.stringify({
                apiVersion: 'v1',
                kind: 'DeleteOptions',
                preconditions: { uid: options.uid },
              }),
              contentType: 'application/json',
            }
          : {},
      );
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  /**
   * Every object of a kind, in one namespace or all, optionally by label
   * selector.
   */
  async list(
    kind: KindRef,
    labelSelector?: string,
    namespace?: string,
    options: {
      fieldSelector?: string;
      /** Only each item's metadata (a PartialObjectMetadataList): less to read. */
      metadataOnly?: boolean;
    } = {},
  ): Promise<KubeObject[]> {
    const params = new URLSearchParams();
    if (labelSelector) params.set('labelSelector', labelSelector);
    if (options.fieldSelector)
      params.set('fieldSelector', options.fieldSelector);
    const query = params.size ? `?${params}` : '';
    const { items } = (await this.request(
      'GET',
      `${collectionPath(kind, namespace)}${query}`,
      options.metadataOnly
        ? {
            accept:
              'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1',
          }
        : {},
    )) as {
      items: KubeObject[] | null;
    };
    // Lists leave apiVersion and kind out of their items (and an empty
    // PartialObjectMetadataList may say `items: null`).
    return (items ?? []).map(item => ({
      ...item,
      apiVersion: kind.apiVersion,
      kind: kind.kind,
    }));
  }

  /** Closes idle keep-alive connections (shutdown, tests). */
  close() {
    this.agent.destroy();
  }

  private async request(
    method: string,
    path: string,
    options: { body?: string; contentType?: string; accept?: string } = {},
  ): Promise<unknown> {
    if (this.credentialsProblem) {
      throw new KubeCredentialsError(this.credentialsProblem);
    }
    const requestOptions: https.RequestOptions = {
      method,
      timeout: this.timeoutMs,
      headers: {
        Accept: options.accept ?? 'application/json',
        ...(options.contentType ? { 'Content-Type': options.contentType } : {}),
        // Node sends a DELETE body unframed unless told its length: the
        // server would read it as the next request on the connection.
        ...(options.body !== undefined
          ? { 'Content-Length': Buffer.byteLength(options.body) }
          : {}),
      },
    };
    await this.kc.applyToHTTPSOptions(requestOptions);
    // The KubeConfig makes a fresh agent per call; keep one pool per cluster
    // (its TLS settings travel with each request's options), unless a proxy
    // agent is configured.
    if (!this.kc.getCurrentCluster()?.proxyUrl) {
      requestOptions.agent = this.agent;
    }
    const url = new URL(this.server.href);
    const [pathname, search] = path.split('?');
    url.pathname = `${url.pathname.replace(/\/$/, '')}${pathname}`;
    url.search = search ?? '';
    if (method === 'GET') this.stats.reads += 1;
    else this.stats.writes += 1;
    this.stats.bytesSent += options.body ? Buffer.byteLength(options.body) : 0;
    return new Promise((resolve, reject) => {
      const req = https.request(url, requestOptions, res => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', chunk => (text += chunk));
        res.on('end', () => {
          this.stats.bytesReceived += Buffer.byteLength(text);
          const status = res.statusCode ?? 0;
          let body: any;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            body = undefined;
          }
          if (status >= 200 && status < 300) resolve(body);
          else
            reject(
              new KubeApiError(
                status,
                body?.reason ?? '',
                body?.message ?? text.slice(0, 500),
              ),
            );
        });
      });
      req.on('timeout', () =>
        req.destroy(new KubeTimeoutError(this.cluster, this.timeoutMs)),
      );
      req.on('error', error =>
        reject(
          isUnreachableCode(error)
            ? new KubeUnreachableError(this.cluster, error)
            : error,
        ),
      );
      req.end(options.body);
    });
  }
}

function resourceOf(kind: KindRef) {
  const resource = RESOURCES[`${kind.apiVersion}/${kind.kind}`];
  if (!resource)
    throw new Error(
      `Tracegate does not manage ${kind.apiVersion} ${kind.kind}`,
    );
  return resource;
}

function groupPath(apiVersion: string) {
  return apiVersion.includes('/')
    ? `/apis/${apiVersion}`
    : `/api/${apiVersion}`;
}

function collectionPath(kind: KindRef, namespace?: string) {
  const ns = namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${groupPath(kind.apiVersion)}${ns}/${resourceOf(kind).plural}`;
}

function objectPath(ref: ObjectRef) {
  const { plural, namespaced } = resourceOf(ref);
  const ns = namespaced
    ? `/namespaces/${encodeURIComponent(ref.metadata.namespace ?? 'default')}`
    : '';
  return `${groupPath(ref.apiVersion)}${ns}/${plural}/${encodeURIComponent(
    ref.metadata.name,
  )}`;
}
