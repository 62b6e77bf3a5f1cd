import {
  AuthenticationV1TokenRequest,
  CoreV1Api,
  RbacAuthorizationV1Api,
  V1PolicyRule,
} from '@kubernetes/client-node';
import { LocalControlPlane } from './controlPlane';

/** Namespace of Tracegate's own ServiceAccount. */
export const TRACEGATE_NAMESPACE = 'tracegate-system';
/** Name of Tracegate's ServiceAccount, ClusterRole and ClusterRoleBinding. */
export const TRACEGATE_ACCOUNT = 'tracegate';

const manage = ['get', 'list', 'watch', 'create', 'patch', 'delete'];
const read = ['get', 'list', 'watch'];

/**
 * Exactly what the applier needs (the objects `plugins/tracing-backend/src/render` produces):
 * - manage the Beyla Namespace, ServiceAccount, ConfigMap, DaemonSet and its
 *   ClusterRole/ClusterRoleBinding, and the Grafana datasource ConfigMap;
 * - hold the read rights it grants Beyla (pods, services, nodes,
 *   replicasets), since RBAC only lets it bind rights it has itself;
 * - read the workloads a request names and patch `Prometheus` CRs.
 * No secrets, no pods/exec, no wildcard.
 */
export const TRACEGATE_APPLIER_RULES: V1PolicyRule[] = [
  { apiGroups: [''], resources: ['namespaces'], verbs: manage },
  {
    apiGroups: [''],
    resources: ['serviceaccounts', 'configmaps'],
    verbs: manage,
  },
  { apiGroups: ['apps'], resources: ['daemonsets'], verbs: manage },
  {
    apiGroups: ['rbac.authorization.k8s.io'],
    resources: ['clusterroles', 'clusterrolebindings'],
    verbs: manage,
  },
  { apiGroups: [''], resources: ['pods', 'services', 'nodes'], verbs: read },
  {
    apiGroups: ['apps'],
    resources: ['replicasets', 'deployments', 'statefulsets'],
    verbs: read,
  },
  {
    apiGroups: ['monitoring.coreos.com'],
    resources: ['prometheuses'],
    verbs: ['get', 'list', 'watch', 'patch'],
  },
];

/**
 * Creates Tracegate's least-privilege ServiceAccount with its ClusterRole and
 * binding, and returns a bearer token for it (TokenRequest API).
 */
export async function createTracegateServiceAccount(
  cluster: LocalControlPlane,
  options: {
    rules?: V1PolicyRule[];
    expirationSeconds?: number;
    /** Another account name, e.g. for a deliberately weaker token in tests. */
    name?: string;
  } = {},
): Promise<string> {
  const name = options.name ?? TRACEGATE_ACCOUNT;
  const kc = cluster.kubeConfig();
  const core = kc.makeApiClient(CoreV1Api);
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);

  await createIfMissing(() =>
    core.createNamespace({ body: { metadata: { name: TRACEGATE_NAMESPACE } } }),
  );
  await createIfMissing(() =>
    core.createNamespacedServiceAccount({
      namespace: TRACEGATE_NAMESPACE,
      body: { metadata: { name } },
    }),
  );
  const role = {
    metadata: { name },
    rules: options.rules ?? TRACEGATE_APPLIER_RULES,
  };
  await createIfMissing(
    () => rbac.createClusterRole({ body: role }),
    () => rbac.replaceClusterRole({ name, body: role }),
  );
  await createIfMissing(() =>
    rbac.createClusterRoleBinding({
      body: {
        metadata: { name },
        roleRef: {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: 'ClusterRole',
          name,
        },
        subjects: [
          {
            kind: 'ServiceAccount',
            name,
            namespace: TRACEGATE_NAMESPACE,
          },
        ],
      },
    }),
  );

  const tokenRequest: AuthenticationV1TokenRequest = {
    spec: {
      audiences: [],
      expirationSeconds: options.expirationSeconds ?? 24 * 60 * 60,
    },
  };
  const response = await core.createNamespacedServiceAccountToken({
    name,
    namespace: TRACEGATE_NAMESPACE,
    body: tokenRequest,
  });
  return response.status!.token;
}

/** Runs `create`; on 409 AlreadyExists runs `onExists` (if any) instead. */
export async function createIfMissing(
  create: () => Promise<unknown>,
  onExists?: () => Promise<unknown>,
): Promise<void> {
  try {
    await create();
  } catch (error) {
    if (statusCode(error) !== 409) throw error;
    await onExists?.();
  }
}

/** The HTTP status of a @kubernetes/client-node ApiException, if any. */
export function statusCode(error: unknown): number | undefined {
  return (error as { code?: number }).code;
}
