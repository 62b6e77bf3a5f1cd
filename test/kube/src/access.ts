import {
  AuthenticationV1TokenRequest,
  CoreV1Api,
  RbacAuthorizationV1Api,
  V1PolicyRule,
} from '@kubernetes/client-node';
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { LocalControlPlane } from './controlPlane';

/** Namespace of Tracegate's own ServiceAccount. */
export const TRACEGATE_NAMESPACE = 'tracegate-system';
/** Name of Tracegate's ServiceAccount, ClusterRole and ClusterRoleBinding. */
export const TRACEGATE_ACCOUNT = 'tracegate';

/**
 * The ServiceAccount, ClusterRole and binding adopters `kubectl apply`
 * (`plugins/tracing-backend/deploy/rbac.yaml`): every cluster test runs with
 * exactly the rules that file gives.
 */
export const TRACEGATE_RBAC_FILE = path.resolve(
  // test/kube only ever runs from source, inside this repository.
  // eslint-disable-next-line no-restricted-syntax
  __dirname,
  '../../../plugins/tracing-backend/deploy/rbac.yaml',
);

/**
 * Exactly what the applier needs, as `TRACEGATE_RBAC_FILE` grants it: manage
 * Beyla's objects and the Grafana datasource ConfigMap, hold the read rights
 * it grants Beyla, read the workloads a request names and patch `Prometheus`
 * CRs. No secrets, no pods/exec, no wildcard.
 */
export const TRACEGATE_APPLIER_RULES: V1PolicyRule[] = (() => {
  const role = parseAllDocuments(fs.readFileSync(TRACEGATE_RBAC_FILE, 'utf8'))
    .map(doc => doc.toJS() as { kind?: string; rules?: V1PolicyRule[] })
    .find(doc => doc.kind === 'ClusterRole');
  if (!role?.rules) {
    throw new Error(`${TRACEGATE_RBAC_FILE} has no ClusterRole with rules`);
  }
  return role.rules;
})();

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
