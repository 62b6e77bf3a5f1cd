import { BeylaSelections } from '../render/beylaSelections';
import {
  BeylaNodeInput,
  BeylaPodState,
  planBeylaNodes,
  settledNodes,
} from './beylaNodes';

const selections = (
  targets: Record<string, string>,
  global = 'exporter-a',
): BeylaSelections => ({ targets: new Map(Object.entries(targets)), global });

const CART = 'shop/Deployment/cart';
const CHECKOUT = 'shop/Deployment/checkout';

const OLD = selections({ [CART]: 'sel' });
const NEW = selections({ [CART]: 'sel', [CHECKOUT]: 'sel' });

const pod = (
  node: string,
  configMap: string,
  change: Partial<BeylaPodState> = {},
): BeylaPodState => ({
  name: `beyla-${node}`,
  uid: `uid-${node}`,
  node,
  configMap,
  template: 't1',
  ready: true,
  terminating: false,
  ...change,
});

const NODES = ['n0', 'n1', 'n2', 'n3', 'n4'];

/** Five nodes on the old config; checkout runs on n1 and n3, cart on n0. */
function input(change: Partial<BeylaNodeInput> = {}): BeylaNodeInput {
  return {
    desired: { configMap: 'cfg-new', template: 't1', selections: NEW },
    pods: NODES.map(n => pod(n, 'cfg-old')),
    configs: new Map([
      ['cfg-old', OLD],
      ['cfg-new', NEW],
    ]),
    configCreated: new Map([
      ['cfg-old', '2026-12-01T00:00:00Z'],
      ['cfg-new', '2026-12-02T00:00:00Z'],
    ]),
    nodes: NODES.map(name => ({ name, allocatablePods: 110 })),
    workloads: new Map(
      NODES.map(n => [
        n,
        {
          targets: new Set([
            ...(n === 'n1' || n === 'n3' ? [CHECKOUT] : []),
            ...(n === 'n0' ? [CART] : []),
          ]),
          pods: 10,
        },
      ]),
    ),
    targetNodes: new Map([[CHECKOUT, ['n1', 'n3']]]),
    priorityClass: true,
    maxParallelRestarts: 10,
    maxConfigVersions: 8,
    ...change,
  };
}

describe('planBeylaNodes', () => {
  it("restarts Beyla only on the nodes that run a changed target's pods", () => {
    const plan = planBeylaNodes(input());
    expect(plan.restarts.map(r => r.node)).toEqual(['n1', 'n3']);
    expect(plan.restarts[0]).toEqual({
      node: 'n1',
      pod: { name: 'beyla-n1', uid: 'uid-n1' },
      reason: `it runs pods of ${CHECKOUT}, whose selection changed`,
    });
    expect(plan.waiting).toEqual([]);
    // Cart's nodes run cart as desired: nothing to do for it.
    expect(plan.target(CART)).toEqual({
      hosting: ['n0'],
      updated: ['n0'],
      ready: ['n0'],
      withoutReadyBeyla: [],
    });
    expect(plan.target(CHECKOUT)).toEqual({
      hosting: ['n1', 'n3'],
      updated: [],
      ready: [],
      withoutReadyBeyla: [],
    });
  });

  it('counts a node whose Beyla restarted on the new config as updated once ready', () => {
    const pods = NODES.map(n =>
      n === 'n1' || n === 'n3' ? pod(n, 'cfg-new') : pod(n, 'cfg-old'),
    );
    pods[3] = { ...pods[3], ready: false };
    const plan = planBeylaNodes(input({ pods }));
    expect(plan.restarts).toEqual([]);
    expect(plan.target(CHECKOUT)).toEqual({
      hosting: ['n1', 'n3'],
      updated: ['n1', 'n3'],
      ready: ['n1'],
      withoutReadyBeyla: ['n3'],
    });
    expect(settledNodes({ desired: input().desired, pods })).toEqual(
      new Set(['n1']),
    );
  });

  it('restarts for a removed target too (revoke, expiry), on its nodes only', () => {
    const plan = planBeylaNodes(
      input({
        desired: {
          configMap: 'cfg-none',
          template: 't1',
          selections: selections({}),
        },
      }),
    );
    expect(plan.restarts.map(r => r.node)).toEqual(['n0']);
  });

  it('restarts the nodes with targets when the exporter changes, and no other', () => {
    const plan = planBeylaNodes(
      input({
        desired: {
          configMap: 'cfg-new',
          template: 't1',
          selections: selections(
            { [CART]: 'sel', [CHECKOUT]: 'sel' },
            'exporter-b',
          ),
        },
        configs: new Map([['cfg-old', OLD]]),
      }),
    );
    expect(plan.restarts.map(r => r.node)).toEqual(['n0', 'n1', 'n3']);
  });

  it('restarts every node for a new pod template, a few at a time', () => {
    const plan = planBeylaNodes(
      input({
        desired: { configMap: 'cfg-old', template: 't2', selections: OLD },
        maxParallelRestarts: 2,
      }),
    );
    expect(plan.restarts.map(r => r.node)).toEqual(['n0', 'n1']);
    expect(plan.waiting.map(w => w.node)).toEqual(['n2', 'n3', 'n4']);
    expect(plan.waiting[0].reason).toBe(
      'its Beyla runs an older pod template; waits for a restart slot (beyla.maxParallelRestarts 2)',
    );
  });

  it('counts restarts already under way against the limit', () => {
    const pods = NODES.map(n => pod(n, 'cfg-old'));
    pods[4] = { ...pods[4], terminating: true, ready: false };
    const plan = planBeylaNodes(
      input({
        pods,
        desired: { configMap: 'cfg-old', template: 't2', selections: OLD },
        maxParallelRestarts: 2,
      }),
    );
    expect(plan.restarts.map(r => r.node)).toEqual(['n0']);
    expect(plan.withoutReadyBeyla).toEqual(['n4']);
  });

  it('without a PriorityClass, leaves a full node its Beyla rather than risk none', () => {
    const workloads = input().workloads;
    workloads.set('n3', { targets: new Set([CHECKOUT]), pods: 110 });
    const plan = planBeylaNodes(input({ workloads, priorityClass: false }));
    expect(plan.restarts.map(r => r.node)).toEqual(['n1']);
    expect(plan.waiting).toEqual([
      {
        node: 'n3',
        reason: `it runs pods of ${CHECKOUT}, whose selection changed, but the node is full (110/110 pods) and Beyla has no PriorityClass to make room (beyla.priorityClassName): its Beyla keeps its config`,
      },
    ]);
    // With one, the scheduler makes room: restarted.
    expect(
      planBeylaNodes(input({ workloads, priorityClass: true })).restarts.map(
        r => r.node,
      ),
    ).toEqual(['n1', 'n3']);
  });

  it('restarts a pod whose config cannot be read', () => {
    const pods = NODES.map(n => pod(n, n === 'n2' ? 'cfg-gone' : 'cfg-new'));
    const plan = planBeylaNodes(input({ pods }));
    expect(plan.restarts).toEqual([
      {
        node: 'n2',
        pod: { name: 'beyla-n2', uid: 'uid-n2' },
        reason: "its Beyla's config cfg-gone could not be read",
      },
    ]);
  });

  it('brings the nodes on the oldest configs up to date past maxConfigVersions', () => {
    const pods = [
      pod('n0', 'cfg-1'),
      pod('n1', 'cfg-2'),
      pod('n2', 'cfg-3'),
      pod('n3', 'cfg-new'),
      pod('n4', 'cfg-new'),
    ];
    const configs = new Map([
      ['cfg-1', NEW],
      ['cfg-2', NEW],
      ['cfg-3', NEW],
      ['cfg-new', NEW],
    ]);
    const configCreated = new Map([
      ['cfg-1', '2026-11-01'],
      ['cfg-2', '2026-11-02'],
      ['cfg-3', '2026-11-03'],
      ['cfg-new', '2026-11-04'],
    ]);
    const plan = planBeylaNodes(
      input({ pods, configs, configCreated, maxConfigVersions: 2 }),
    );
    expect(plan.configsInUse.sort()).toEqual([
      'cfg-1',
      'cfg-2',
      'cfg-3',
      'cfg-new',
    ]);
    expect(plan.restarts.map(r => r.node)).toEqual(['n0', 'n1']);
    expect(plan.restarts[0].reason).toMatch(/^more than 2 configs are in use/);
  });

  it('names nodes with no Beyla pod at all', () => {
    const plan = planBeylaNodes(
      input({ pods: input().pods.filter(p => p.node !== 'n3') }),
    );
    expect(plan.withoutReadyBeyla).toEqual(['n3']);
    expect(plan.target(CHECKOUT).withoutReadyBeyla).toEqual(['n3']);
    expect(plan.restarts.map(r => r.node)).toEqual(['n1']);
  });
});
