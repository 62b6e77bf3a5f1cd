import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { defaultRbac, renderRbac } from './renderRbac';

// Runs from source: the package's deploy folder is two levels up.
const shipped = path.resolve(__dirname, '../../deploy/rbac.yaml');

/** The objects of the RBAC file for these settings. */
const rendered = (namespaces: Parameters<typeof renderRbac>[0]) =>
  parseAllDocuments(renderRbac(namespaces)).map(d => d.toJS());

/** `Kind namespace/name` of each object. */
const names = (objects: any[]) =>
  objects.map(
    o => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`,
  );

describe('the RBAC file', () => {
  it('shipped in deploy/rbac.yaml is the one for the default settings (UPDATE_RBAC=1 rewrites it)', () => {
    if (process.env.UPDATE_RBAC) fs.writeFileSync(shipped, defaultRbac());
    expect(fs.readFileSync(shipped, 'utf8')).toBe(defaultRbac());
  });

  it('follows the settings that name namespaces', () => {
    const objects = rendered({
      beylaNamespace: 'ebpf',
      datasourceNamespace: 'grafana',
      prometheusNamespaces: ['observability', 'grafana'],
    });
    expect(names(objects)).toEqual([
      'Namespace /tracegate-system',
      'Namespace /ebpf',
      'ServiceAccount tracegate-system/tracegate',
      'ClusterRole /tracegate',
      'ClusterRoleBinding /tracegate',
      'Role ebpf/tracegate',
      'RoleBinding ebpf/tracegate',
      'Role grafana/tracegate',
      'RoleBinding grafana/tracegate',
      'Role observability/tracegate',
      'RoleBinding observability/tracegate',
    ]);
    const clusterRole = objects.find(o => o.kind === 'ClusterRole');
    expect(
      clusterRole.rules.find(
        (r: any) => r.resources.includes('namespaces') && r.resourceNames,
      ),
    ).toEqual({
      apiGroups: [''],
      resources: ['namespaces'],
      resourceNames: ['ebpf'],
      verbs: ['patch'],
    });
  });

  it('grants cluster-wide writes only by name, and create where Kubernetes cannot scope it', () => {
    const clusterRole = parseAllDocuments(defaultRbac())
      .map(d => d.toJS())
      .find(o => o.kind === 'ClusterRole');
    const writes = clusterRole.rules.filter((r: any) =>
      r.verbs.some((v: string) => !['get', 'list', 'watch'].includes(v)),
    );
    expect(writes).toEqual([
      {
        apiGroups: [''],
        resources: ['namespaces'],
        resourceNames: ['beyla'],
        verbs: ['patch'],
      },
      {
        apiGroups: ['rbac.authorization.k8s.io'],
        resources: ['clusterroles', 'clusterrolebindings'],
        resourceNames: ['tracegate-beyla'],
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
    ]);
  });

  it('for git delivery grants reads only (the gitDelivery test runs a whole loop with it)', () => {
    const objects = rendered({
      beylaNamespace: 'beyla',
      datasourceNamespace: 'monitoring',
      readOnly: true,
    });
    expect(names(objects)).toEqual([
      'Namespace /tracegate-system',
      'ServiceAccount tracegate-system/tracegate',
      'ClusterRole /tracegate',
      'ClusterRoleBinding /tracegate',
    ]);
    const verbs = new Set(
      objects.flatMap(o => (o.rules ?? []).flatMap((r: any) => r.verbs)),
    );
    expect([...verbs].sort()).toEqual(['get', 'list', 'watch']);
    expect(
      objects
        .find(o => o.kind === 'ClusterRole')
        .rules.some((r: any) => r.resources.includes('prometheuses')),
    ).toBe(true);
  });
});
