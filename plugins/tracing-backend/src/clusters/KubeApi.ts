import { KubeConfig } from '@kubernetes/client-node';
import https from 'node:https';
import { FIELD_MANAGER, KubeObject } from '../render/types';
import { ClusterSettings } from './config';

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
  'monitoring.coreos.com/v1/Prometheus': {
    plural: 'prometheuses',
    namespaced: true,
  },
};

/** An answer of the API server other than 2xx. */
export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

type ObjectRef = Pick<KubeObject, 'apiVersion' | 'kind'> & {
  metadata: { name: string; namespace?: string };
};

/**
 * The few calls Tracegate makes, as plain JSON over HTTPS: objects go out and
 * come back exactly as the API server spells them (the typed client re-keys
 * fields of known kinds). Credentials stay inside the KubeConfig.
 */
export class KubeApi {
  static fromSettings(settings: ClusterSettings): KubeApi {
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
    return new KubeApi(kc);
  }

  constructor(
    private readonly kc: KubeConfig,
    private readonly timeoutMs = 10_000,
  ) {}

  async version(): Promise<{ gitVersion: string }> {
    return (await this.request('GET', '/version')) as { gitVersion: string };
  }

  /** The live object, or undefined when it does not exist. */
  async get(ref: ObjectRef): Promise<KubeObject | undefined> {
    try {
      return (await this.request('GET', objectPath(ref))) as KubeObject;
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404)
        return undefined;
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

  async delete(ref: ObjectRef): Promise<void> {
    try {
      await this.request(
        'DELETE',
        `${objectPath(ref)}?propagationPolicy=Background`,
      );
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return;
      throw error;
    }
  }

  /** Every object of a kind in all namespaces, optionally by label selector. */
  async list(
    kind: Pick<KubeObject, 'apiVersion' | 'kind'>,
    labelSelector?: string,
  ): Promise<KubeObject[]> {
    const query = labelSelector
      ? `?${new URLSearchParams({ labelSelector })}`
      : '';
    const { items } = (await this.request(
      'GET',
      `${collectionPath(kind)}${query}`,
    )) as {
      items: KubeObject[];
    };
    // Lists leave apiVersion and kind out of their items.
    return items.map(item => ({
      ...item,
      apiVersion: kind.apiVersion,
      kind: kind.kind,
    }));
  }

  private async request(
    method: string,
    path: string,
    options: { body?: string; contentType?: string } = {},
  ): Promise<unknown> {
    const server = this.kc.getCurrentCluster()?.server;
    if (!server) {
      throw Object.assign(
        new Error('no API server URL configured (tracing.clusters[].url)'),
        {
          code: 'ENOTFOUND',
        },
      );
    }
    const requestOptions: https.RequestOptions = {
      method,
      timeout: this.timeoutMs,
      headers: {
        Accept: 'application/json',
        ...(options.contentType ? { 'Content-Type': options.contentType } : {}),
      },
    };
    await this.kc.applyToHTTPSOptions(requestOptions);
    return new Promise((resolve, reject) => {
      const req = https.request(new URL(path, server), requestOptions, res => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', chunk => (text += chunk));
        res.on('end', () => {
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
        req.destroy(new Error(`timed out after ${this.timeoutMs} ms`)),
      );
      req.on('error', reject);
      req.end(options.body);
    });
  }
}

function resourceOf(kind: Pick<KubeObject, 'apiVersion' | 'kind'>) {
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

function collectionPath(kind: Pick<KubeObject, 'apiVersion' | 'kind'>) {
  return `${groupPath(kind.apiVersion)}/${resourceOf(kind).plural}`;
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

/**
 * A readable one-line reason for a failed apply, for `lastApply.error`.
 * Never includes credentials: only the API server's own message.
 */
export function describeKubeError(error: unknown): string {
  if (error instanceof KubeApiError) {
    switch (error.status) {
      case 401:
        return `unauthorized: the cluster refused Tracegate's credentials (${error.message})`;
      case 403:
        return `forbidden: ${error.message}`;
      case 409:
        return `conflict with another field manager: ${error.message}`;
      case 422:
        return `rejected by the API server: ${error.message}`;
      case 404:
        return `not found: ${error.message}`;
      default:
        return `API server answered ${error.status}: ${error.message}`;
    }
  }
  const e = error as NodeJS.ErrnoException;
  if (
    e?.code === 'ECONNREFUSED' ||
    e?.code === 'ENOTFOUND' ||
    e?.code === 'EHOSTUNREACH' ||
    /timed out/.test(e?.message ?? '')
  ) {
    return `unreachable: ${e.message}`;
  }
  return `error: ${e?.message ?? String(error)}`;
}
