import { Entity } from '@backstage/catalog-model';
import { emptyForm, prefillTarget } from './formModel';

function service(annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'cart', annotations },
    spec: { type: 'service', owner: 'group:default/team-shop' },
  };
}

describe('prefillTarget', () => {
  const typed = {
    ...emptyForm('component:default/checkout'),
    namespace: 'shop',
    workloadName: 'checkout',
  };

  it("takes the namespace and workload the entity's annotations name", () => {
    expect(
      prefillTarget(
        typed,
        service({
          'backstage.io/kubernetes-id': 'cart',
          'backstage.io/kubernetes-namespace': 'store',
        }),
      ),
    ).toEqual({ ...typed, namespace: 'store', workloadName: 'cart' });
  });

  it('keeps what the form held where the annotations name nothing', () => {
    expect(
      prefillTarget(
        typed,
        service({ 'backstage.io/kubernetes-label-selector': 'app=cart' }),
      ),
    ).toEqual(typed);
    expect(
      prefillTarget(typed, service({ 'backstage.io/kubernetes-id': 'cart' })),
    ).toEqual({ ...typed, workloadName: 'cart' });
  });
});
