import { Entity } from '@backstage/catalog-model';
import { getKubernetesTarget, isTracingAvailable } from './entity';

function component(
  type: string,
  annotations: Record<string, string> = {},
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'checkout', annotations },
    spec: { type, owner: 'group:default/team-a', lifecycle: 'production' },
  };
}

describe('isTracingAvailable', () => {
  it('accepts a service with a kubernetes-id annotation', () => {
    expect(
      isTracingAvailable(
        component('service', { 'backstage.io/kubernetes-id': 'checkout' }),
      ),
    ).toBe(true);
  });

  it('accepts a service with a label selector', () => {
    expect(
      isTracingAvailable(
        component('service', {
          'backstage.io/kubernetes-label-selector': 'app=checkout',
        }),
      ),
    ).toBe(true);
  });

  it('refuses a service that does not say where it runs', () => {
    expect(isTracingAvailable(component('service'))).toBe(false);
  });

  it('accepts a Component of any type, and refuses other kinds', () => {
    const annotations = { 'backstage.io/kubernetes-id': 'checkout' };
    expect(isTracingAvailable(component('website', annotations))).toBe(true);
    expect(isTracingAvailable(component('worker', annotations))).toBe(true);
    expect(
      isTracingAvailable({ ...component('service', annotations), kind: 'API' }),
    ).toBe(false);
  });
});

describe('getKubernetesTarget', () => {
  it('reads namespace and workload name from the annotations', () => {
    expect(
      getKubernetesTarget(
        component('service', {
          'backstage.io/kubernetes-id': 'checkout',
          'backstage.io/kubernetes-namespace': 'shop',
        }),
      ),
    ).toEqual({ namespace: 'shop', workloadName: 'checkout' });
  });
});
