import { TracingRequest } from '@tracegate/plugin-tracing-common';
import { KubeObject, objectKey } from '../render/types';
import { tracingRequest } from '../__testUtils__/fixtures';
import { LiveState } from './liveState';
import { changedObjects, planCluster, servedBy, writes } from './plan';

const request = (id: string, change: Partial<TracingRequest> = {}) =>
  tracingRequest(id, {
    sampling: { sampler: 'always_on', ratio: 1 },
    ...change,
  });

const ebpf = request('e');
const prom = request('p', {
  method: 'prometheus',
  namespace: 'monitoring',
  workload: { kind: 'Prometheus', name: 'k8s' },
});

const beylaLabels = {
  'app.kubernetes.io/managed-by': 'tracegate',
  'app.kubernetes.io/name': 'beyla',
};
const configMap: KubeObject = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'beyla-config', namespace: 'beyla', labels: beylaLabels },
  data: { 'beyla-config.yml': 'new' },
};
const daemonSet: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'beyla', namespace: 'beyla', labels: beylaLabels },
  spec: { template: { metadata: { annotations: { checksum: 'a' } } } },
};
const prometheus: KubeObject = {
  apiVersion: 'monitoring.coreos.com/v1',
  kind: 'Prometheus',
  metadata: { name: 'k8s', namespace: 'monitoring' },
  spec: { tracingConfig: { endpoint: 'tempo:4317' } },
};
const datasource: KubeObject = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: {
    name: 'tracegate-tempo-datasource',
    namespace: 'monitoring',
    labels: { 'app.kubernetes.io/managed-by': 'tracegate' },
  },
  data: { x: 'y' },
};

function live(objects: KubeObject[], extra: Partial<LiveState> = {}) {
  return {
    objects: new Map(objects.map(o => [objectKey(o), o])),
    unreadable: new Map(),
    ...extra,
  } as LiveState;
}

describe('planCluster', () => {
  it('creates what is missing, updates what differs, leaves what matches', () => {
    const plan = planCluster({
      cluster: 'local',
      desired: [configMap, daemonSet, datasource],
      requests: [ebpf],
      live: live([
        // The API server adds fields: they do not count as a difference.
        { ...configMap, data: { 'beyla-config.yml': 'old' } },
        {
          ...daemonSet,
          metadata: { ...daemonSet.metadata, uid: 'u1' } as any,
          status: { numberReady: 3 },
        },
      ]),
    });
    expect(plan.actions.map(a => [a.type, a.requestIds])).toEqual([
      ['update', ['e']],
      ['none', ['e']],
      ['create', ['e']],
    ]);
    expect(plan.actions[0]).toMatchObject({
      changes: ['.data.beyla-config.yml'],
    });
    expect(writes(plan)).toHaveLength(2);
  });

  it('never creates a Prometheus: a missing one is a missing target', () => {
    const plan = planCluster({
      cluster: 'local',
      desired: [prometheus],
      requests: [ebpf, prom],
      live: live([]),
    });
    expect(plan.actions).toEqual([
      { type: 'missing', object: prometheus, requestIds: ['p'] },
    ]);
  });

  it('charges an unreadable object to the requests it serves', () => {
    const error = new Error('forbidden');
    const plan = planCluster({
      cluster: 'local',
      desired: [daemonSet],
      requests: [ebpf, prom],
      live: live([], {
        unreadable: new Map([[objectKey(daemonSet), error]]),
      }),
    });
    expect(plan.actions).toEqual([
      { type: 'unreadable', object: daemonSet, error, requestIds: ['e'] },
    ]);
  });

  it('deletes undesired own objects and releases Prometheus fields, only when removable was read', () => {
    const terminating = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'old', labels: beylaLabels },
      status: { phase: 'Terminating' },
    };
    const state = live([datasource], {
      removable: [daemonSet, datasource, terminating, prometheus],
    });
    const plan = planCluster({
      cluster: 'local',
      desired: [datasource],
      requests: [prom],
      live: state,
    });
    expect(plan.actions.map(a => a.type)).toEqual([
      'none',
      'delete',
      'release',
    ]);
    expect(plan.actions[2]).toMatchObject({
      object: {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'Prometheus',
        metadata: { name: 'k8s', namespace: 'monitoring' },
      },
    });
    expect((plan.actions[2] as any).object.spec).toBeUndefined();

    const partial = planCluster({
      cluster: 'local',
      desired: [datasource],
      requests: [prom],
      live: live([datasource]),
    });
    expect(partial.actions.map(a => a.type)).toEqual(['none']);
  });
});

describe('what Tracegate did not create', () => {
  const namespace: KubeObject = {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'beyla', labels: beylaLabels },
  };

  it('marks what it creates, and keeps the mark', () => {
    const created = planCluster({
      cluster: 'local',
      desired: [namespace],
      requests: [ebpf],
      live: live([]),
    }).actions[0] as any;
    expect(created.type).toBe('create');
    expect(created.object.metadata.annotations).toEqual({
      'tracegate.io/created': 'true',
    });
    const again = planCluster({
      cluster: 'local',
      desired: [namespace],
      requests: [ebpf],
      live: live([created.object]),
    });
    expect(again.actions.map(a => a.type)).toEqual(['none']);
  });

  it('does not take over an object of the same name that someone else made', () => {
    const theirs = {
      ...configMap,
      metadata: { name: 'beyla-config', namespace: 'beyla' },
      data: { 'beyla-config.yml': 'theirs' },
    };
    const plan = planCluster({
      cluster: 'local',
      desired: [configMap],
      requests: [ebpf],
      live: live([theirs]),
    });
    expect(plan.actions).toEqual([
      expect.objectContaining({
        type: 'conflict',
        reason: expect.stringContaining(
          'ConfigMap beyla/beyla-config exists and was not created by Tracegate',
        ),
        requestIds: ['e'],
      }),
    ]);
  });

  it('labels a namespace that was there before, and never deletes it', () => {
    const existing = { ...namespace, metadata: { name: 'beyla' } };
    const applied = planCluster({
      cluster: 'local',
      desired: [namespace],
      requests: [ebpf],
      live: live([existing]),
    });
    expect(applied.actions.map(a => a.type)).toEqual(['update']);
    const gone = planCluster({
      cluster: 'local',
      desired: [],
      requests: [],
      live: live([], { removable: [namespace] }),
    });
    expect(gone.actions).toEqual([
      expect.objectContaining({
        type: 'release',
        object: {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: 'beyla' },
        },
      }),
    ]);
  });

  it('names a namespace that is still terminating', () => {
    const plan = planCluster({
      cluster: 'local',
      desired: [namespace],
      requests: [ebpf],
      live: live([{ ...namespace, status: { phase: 'Terminating' } }]),
    });
    expect(plan.actions[0]).toMatchObject({
      type: 'conflict',
      reason:
        'namespace beyla is terminating (an earlier deletion has not finished); retrying',
    });
  });
});

describe('servedBy', () => {
  it('charges Beyla objects to ebpf requests, a CR to its requests, the rest to all', () => {
    const other = request('q', { ...prom, id: 'q', workload: prom.workload });
    const elsewhere = request('z', {
      method: 'prometheus',
      namespace: 'monitoring',
      workload: { kind: 'Prometheus', name: 'other' },
    });
    const all = [ebpf, prom, other, elsewhere];
    expect(servedBy(daemonSet, all)).toEqual(['e']);
    expect(servedBy(prometheus, all)).toEqual(['p', 'q']);
    expect(servedBy(datasource, all)).toEqual(['e', 'p', 'q', 'z']);
  });
});

describe('changedObjects', () => {
  it('lists new objects and objects rendered differently', () => {
    const changed = changedObjects(
      [configMap, datasource],
      [
        { ...configMap, data: { 'beyla-config.yml': 'newer' } },
        datasource,
        daemonSet,
      ],
    );
    expect(changed.map(objectKey)).toEqual([
      'v1/ConfigMap/beyla/beyla-config',
      'apps/v1/DaemonSet/beyla/beyla',
    ]);
  });
});
