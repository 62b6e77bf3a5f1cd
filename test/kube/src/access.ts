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

type RbacDocument = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  rules?: V1PolicyRule[];
  roleRef?: { apiGroup: string; kind: string; name: string };
  subjects?: Array<{ kind: string; name: string; namespace?: string }>;
};

/** The objects of an RBAC file's text, in order. */
function rbacDocuments(text: string): RbacDocument[] {
  return parseAllDocuments(text)
    .map(doc => doc.toJS() as RbacDocument)
    .filter(doc => doc?.kind);
}

/** Every object of `TRACEGATE_RBAC_FILE`, in order. */
export const TRACEGATE_RBAC_DOCUMENTS: RbacDocument[] = rbacDocuments(
  fs.readFileSync(TRACEGATE_RBAC_FILE, 'utf8'),
);

/** The rules of the file's ClusterRole (cluster-wide reads and named writes). */
export const TRACEGATE_APPLIER_RULES: V1PolicyRule[] =
  TRACEGATE_RBAC_DOCUMENTS.find(doc => doc.kind === 'ClusterRole')?.rules ?? [];

/**
 * Creates Tracegate's least-privilege ServiceAccount with every role and
 * binding of `TRACEGATE_RBAC_FILE` (or `rbac`), as `kubectl apply -f` would
 * (a ClusterRole or Role already there is replaced), and returns
 * a bearer token for it (TokenRequest API). `name` gives the account, roles
 * and bindings another name (a second token in one test); `adjust` changes
 * or drops rules of every role (a deliberately weaker token).
 */
export async function createTracegateServiceAccount(
  cluster: LocalControlPlane,
  options: {
    adjust?: (rule: V1PolicyRule) => V1PolicyRule | undefined;
    expirationSeconds?: number;
    name?: string;
    /**
     * Another RBAC file's text (Tracegate's generator for other
     * namespaces) instead of `TRACEGATE_RBAC_FILE`.
     */
    rbac?: string;
  } = {},
): Promise<string> {
  const name = options.name ?? TRACEGATE_ACCOUNT;
  const kc = cluster.kubeConfig();
  const core = kc.makeApiClient(CoreV1Api);
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  const adjust = (rules: V1PolicyRule[] = []) =>
    rules
      .map(rule => (options.adjust ? options.adjust(rule) : rule))
      .filter((rule): rule is V1PolicyRule => Boolean(rule));
  const named = (doc: RbacDocument) =>
    doc.metadata.name === TRACEGATE_ACCOUNT ? name : doc.metadata.name;

  const documents = options.rbac
    ? rbacDocuments(options.rbac)
    : TRACEGATE_RBAC_DOCUMENTS;
  for (const doc of documents) {
    const metadata = { ...doc.metadata, name: named(doc) };
    const subjects = doc.subjects?.map(s => ({ ...s, name }));
    const roleRef = doc.roleRef && { ...doc.roleRef, name: named(doc) };
    switch (doc.kind) {
      case 'Namespace':
        await createIfMissing(() =>
          core.createNamespace({ body: { metadata } }),
        );
        break;
      case 'ServiceAccount':
        await createIfMissing(() =>
          core.createNamespacedServiceAccount({
            namespace: metadata.namespace!,
            body: { metadata },
          }),
        );
        break;
      case 'ClusterRole': {
        const body = { metadata, rules: adjust(doc.rules) };
        await createIfMissing(
          () => rbac.createClusterRole({ body }),
          () => rbac.replaceClusterRole({ name: metadata.name, body }),
        );
        break;
      }
      case 'ClusterRoleBinding':
        await createIfMissing(() =>
          rbac.createClusterRoleBinding({
            body: { metadata, roleRef: roleRef!, subjects },
          }),
        );
        break;
      case 'Role': {
        const body = { metadata, rules: adjust(doc.rules) };
        await createIfMissing(
          () =>
            rbac.createNamespacedRole({
              namespace: metadata.namespace!,
              body,
            }),
          () =>
            rbac.replaceNamespacedRole({
              name: metadata.name,
              namespace: metadata.namespace!,
              body,
            }),
        );
        break;
      }
      case 'RoleBinding':
        await createIfMissing(() =>
          rbac.createNamespacedRoleBinding({
            namespace: metadata.namespace!,
            body: { metadata, roleRef: roleRef!, subjects },
          }),
        );
        break;
      default:
        throw new Error(`${TRACEGATE_RBAC_FILE}: unexpected ${doc.kind}`);
    }
  }

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

/** An `adjust` for {@link createTracegateServiceAccount}: no rights on DaemonSets. */
export function withoutDaemonSets(
  rule: V1PolicyRule,
): V1PolicyRule | undefined {
  const resources = rule.resources?.filter(r => r !== 'daemonsets');
  return resources?.length ? { ...rule, resources } : undefined;
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
