/**
 * Tracegate's ServiceAccount and the least rights it needs on one cluster,
 * for the namespaces that cluster's settings name: what `deploy/rbac.yaml`
 * holds for the defaults, and `yarn tracegate-rbac` writes for others. Pure.
 */
import { stringify } from 'yaml';
import {
  DEFAULT_BEYLA_NAMESPACE,
  DEFAULT_DATASOURCE_NAMESPACE,
} from '../clusters/config';
import { DATASOURCE_CONFIG_MAP, OTLP_CA_CONFIG_MAP } from '../render/tempo';

/** Where Tracegate writes on a cluster. */
export type RbacNamespaces = {
  /** `beyla.namespace`. */
  beylaNamespace: string;
  /** `tempo.datasourceNamespace`. */
  datasourceNamespace: string;
  /**
   * Namespaces of Prometheus CRs that get the OTLP CA ConfigMap (with
   * `tempo.caData`/`caFile` only): from `prometheusInstances`.
   */
  prometheusNamespaces?: string[];
  /**
   * Git delivery (`delivery.type: git`): Tracegate only reads the cluster,
   * a GitOps tool writes; no write right at all.
   */
  readOnly?: boolean;
};

export const TRACEGATE_SERVICE_ACCOUNT = {
  name: 'tracegate',
  namespace: 'tracegate-system',
};
const BEYLA_CLUSTER_WIDE_NAME = 'tracegate-beyla';

const subjects = [{ kind: 'ServiceAccount', ...TRACEGATE_SERVICE_ACCOUNT }];

function roleWithBinding(namespace: string, comment: string, rules: object[]) {
  const metadata = { name: TRACEGATE_SERVICE_ACCOUNT.name, namespace };
  return [
    {
      comment,
      object: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata,
        rules,
      },
    },
    {
      object: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata,
        roleRef: {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: 'Role',
          name: TRACEGATE_SERVICE_ACCOUNT.name,
        },
        subjects,
      },
    },
  ];
}

type RbacObject = { comment?: string; object: Record<string, unknown> };

const ACCOUNT_NAMESPACE: RbacObject = {
  object: {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: TRACEGATE_SERVICE_ACCOUNT.namespace },
  },
};

const SERVICE_ACCOUNT: RbacObject = {
  object: {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { ...TRACEGATE_SERVICE_ACCOUNT },
  },
};

const CLUSTER_ROLE_BINDING: RbacObject = {
  object: {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: TRACEGATE_SERVICE_ACCOUNT.name },
    roleRef: {
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: TRACEGATE_SERVICE_ACCOUNT.name,
    },
    subjects,
  },
};

/** What plans, target checks, status and the node plan read, cluster-wide. */
const CLUSTER_READS = [
  {
    apiGroups: [''],
    resources: [
      'namespaces',
      'serviceaccounts',
      'configmaps',
      'pods',
      'services',
      'nodes',
    ],
    verbs: ['get', 'list', 'watch'],
  },
  {
    apiGroups: ['apps'],
    resources: ['daemonsets', 'replicasets', 'deployments', 'statefulsets'],
    verbs: ['get', 'list', 'watch'],
  },
  {
    apiGroups: ['rbac.authorization.k8s.io'],
    resources: ['clusterroles', 'clusterrolebindings'],
    verbs: ['get', 'list', 'watch'],
  },
];

function clusterRole(rules: object[]) {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: TRACEGATE_SERVICE_ACCOUNT.name },
    rules,
  };
}

/** The objects, each with the comment that says why it is there. */
export function rbacObjects(namespaces: RbacNamespaces): RbacObject[] {
  if (namespaces.readOnly) return readOnlyObjects();
  const { beylaNamespace, datasourceNamespace } = namespaces;
  const caNamespaces = [
    ...new Set(
      (namespaces.prometheusNamespaces ?? []).filter(
        ns => ns !== datasourceNamespace && ns !== beylaNamespace,
      ),
    ),
  ].sort();
  return [
    ACCOUNT_NAMESPACE,
    {
      comment:
        "Beyla's namespace exists before Tracegate: its Role needs it, and Tracegate\nmay then only label it (Pod Security `privileged`), never create or delete one.",
      object: {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: beylaNamespace },
      },
    },
    SERVICE_ACCOUNT,
    {
      object: clusterRole([
        ...CLUSTER_READS,
        {
          apiGroups: [''],
          resources: ['namespaces'],
          resourceNames: [beylaNamespace],
          verbs: ['patch'],
        },
        {
          apiGroups: ['rbac.authorization.k8s.io'],
          resources: ['clusterroles', 'clusterrolebindings'],
          resourceNames: [BEYLA_CLUSTER_WIDE_NAME],
          verbs: ['patch', 'delete'],
        },
        {
          apiGroups: ['rbac.authorization.k8s.io'],
          resources: ['clusterroles', 'clusterrolebindings'],
          verbs: ['create'],
        },
        {
          apiGroups: ['monitoring.coreos.com'],
          resources: ['prometheuses'],
          verbs: ['get', 'list', 'watch', 'patch'],
        },
      ]),
      comment: [
        'Reads: what plans, target checks and the node plan read (Tracegate grants Beyla',
        'read rights on pods, services, nodes and replicasets, and RBAC lets it bind',
        "only rights it holds). Writes: the Pod Security labels of Beyla's namespace;",
        `Beyla's ClusterRole and binding, by name (${BEYLA_CLUSTER_WIDE_NAME}); their`,
        '`create`, which Kubernetes cannot scope by name (RBAC still refuses a role with',
        'rights Tracegate lacks, and a binding to one, such as cluster-admin: no',
        'escalation); and `spec.tracingConfig` of the Prometheus CRs requests name (a',
        'patch cannot be scoped to one field; server-side apply touches only its own).',
      ].join('\n'),
    },
    CLUSTER_ROLE_BINDING,
    ...roleWithBinding(
      beylaNamespace,
      "In Beyla's namespace only: its ServiceAccount, configs (and the OTLP CA),\nDaemonSet, and deleting Beyla pods to restart them on a new config.",
      [
        {
          apiGroups: [''],
          resources: ['serviceaccounts', 'configmaps'],
          verbs: ['create', 'patch', 'delete'],
        },
        {
          apiGroups: ['apps'],
          resources: ['daemonsets'],
          verbs: ['create', 'patch', 'delete'],
        },
        { apiGroups: [''], resources: ['pods'], verbs: ['delete'] },
      ],
    ),
    ...[datasourceNamespace, ...caNamespaces]
      .filter(ns => ns !== beylaNamespace)
      .flatMap(ns =>
        roleWithBinding(
          ns,
          ns === datasourceNamespace
            ? 'In the datasource namespace: the Grafana datasource and the OTLP CA\nConfigMaps, by name (create cannot be scoped by name).'
            : "In a Prometheus CR's namespace: the OTLP CA ConfigMap, by name.",
          [
            { apiGroups: [''], resources: ['configmaps'], verbs: ['create'] },
            {
              apiGroups: [''],
              resources: ['configmaps'],
              resourceNames:
                ns === datasourceNamespace
                  ? [DATASOURCE_CONFIG_MAP, OTLP_CA_CONFIG_MAP]
                  : [OTLP_CA_CONFIG_MAP],
              verbs: ['patch', 'delete'],
            },
          ],
        ),
      ),
  ];
}

/** The reads of the applier's ClusterRole, and nothing else (git delivery). */
function readOnlyObjects(): RbacObject[] {
  return [
    ACCOUNT_NAMESPACE,
    SERVICE_ACCOUNT,
    {
      comment:
        'Git delivery: reads only (what plans, target checks, status and the node\nplan read). A GitOps tool applies what Tracegate commits.',
      object: clusterRole([
        ...CLUSTER_READS,
        {
          apiGroups: ['monitoring.coreos.com'],
          resources: ['prometheuses'],
          verbs: ['get', 'list', 'watch'],
        },
      ]),
    },
    CLUSTER_ROLE_BINDING,
  ];
}

/** The objects as one YAML file for `kubectl apply -f`. */
export function renderRbac(namespaces: RbacNamespaces): string {
  const header = namespaces.readOnly
    ? [
        "# Tracegate's ServiceAccount on a cluster whose changes go through git",
        '# (delivery.type: git): it reads, and writes nothing; a GitOps tool applies the',
        '# files Tracegate commits. `kubectl apply -f` this file, then give the backend a',
        '# token for the account as `tracing.clusters[].serviceAccountToken`. The git',
        '# credentials need: read and push on the configured branch (nothing else).',
      ]
    : [
        "# Tracegate's ServiceAccount on a cluster it manages, with exactly the rights the",
        "# applier needs and no more: it writes only Beyla's objects in Beyla's namespace,",
        '# its own ClusterRole and binding by name, the Grafana datasource ConfigMap by name,',
        '# and the `tracingConfig` of Prometheus CRs; everything else it only reads.',
        '# `kubectl apply -f` this file, then give the backend a token for the account',
        '# (`kubectl -n tracegate-system create token tracegate --duration=...`, or a',
        '# long-lived token Secret of your own) as `tracing.clusters[].serviceAccountToken`.',
        '#',
        `# For Beyla's namespace \`${namespaces.beylaNamespace}\` (beyla.namespace) and the datasource`,
        `# namespace \`${namespaces.datasourceNamespace}\` (tempo.datasourceNamespace). For other`,
        '# settings: `yarn tracegate-rbac --config app-config.yaml --cluster <name>`',
        '# (plugins/tracing-backend/README.md, "RBAC"). No secrets, no pods/exec, no',
        '# wildcards.',
      ];
  const documents = rbacObjects(namespaces).map(({ comment, object }) =>
    [
      ...(comment ? comment.split('\n').map(line => `# ${line}`) : []),
      stringify(object, { lineWidth: 0 }).trimEnd(),
    ].join('\n'),
  );
  return `${header.join('\n')}\n${documents.join('\n---\n')}\n`;
}

/** The file for the default settings (`deploy/rbac.yaml`). */
export function defaultRbac(): string {
  return renderRbac({
    beylaNamespace: DEFAULT_BEYLA_NAMESPACE,
    datasourceNamespace: DEFAULT_DATASOURCE_NAMESPACE,
  });
}
