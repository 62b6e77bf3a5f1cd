import { KubeApi } from '../clusters/KubeApi';
import { BEYLA_POD_SELECTOR } from '../render/beyla';
import {
  FIELD_MANAGER,
  KubeObject,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  objectKey,
  OWNED_KINDS,
  PROMETHEUS_KIND,
} from '../render/types';

/** What a cluster holds of the objects a plan is about. */
export type LiveState = {
  /** Live objects by {@link objectKey}; a key absent here does not exist. */
  objects: Map<string, KubeObject>;
  /** Objects that could not be read, by key, with the error. */
  unreadable: Map<string, unknown>;
  /**
   * What Tracegate may remove or release (whole-cluster plans only):
   * objects it labelled as its own, and Prometheus CRs where it owns fields.
   */
  removable?: KubeObject[];
  /** Why `removable` could not be read, when it was asked for. */
  removableError?: unknown;
  /** Beyla's pods (whole-cluster plans): the configs they read are kept. */
  beylaPods?: KubeObject[];
};

/**
 * Reads what a plan needs: the live version of each object and, for a
 * whole-cluster plan, what Tracegate may remove.
 */
export async function readLiveState(
  api: KubeApi,
  objects: KubeObject[],
  options: { removable: boolean; beylaNamespace: string },
): Promise<LiveState> {
  const [state, removable] = await Promise.all([
    readLiveObjects(api, objects),
    options.removable
      ? Promise.all([
          readRemovable(api),
          api.list(
            { apiVersion: 'v1', kind: 'Pod' },
            BEYLA_POD_SELECTOR,
            options.beylaNamespace,
          ),
        ]).then(
          ([items, beylaPods]) => ({ items, beylaPods }),
          error => ({ error }),
        )
      : undefined,
  ]);
  if (removable && 'items' in removable) {
    state.removable = removable.items;
    state.beylaPods = removable.beylaPods;
  }
  if (removable && 'error' in removable) state.removableError = removable.error;
  return state;
}

/** Reads the live version of each object, one GET each, in parallel. */
async function readLiveObjects(
  api: KubeApi,
  objects: KubeObject[],
): Promise<LiveState> {
  const state: LiveState = { objects: new Map(), unreadable: new Map() };
  await Promise.all(
    objects.map(async object => {
      const key = objectKey(object);
      try {
        const live = await api.get(object);
        if (live) state.objects.set(key, live);
      } catch (error) {
        state.unreadable.set(key, error);
      }
    }),
  );
  return state;
}

/** Everything on the cluster that Tracegate may remove or release. */
async function readRemovable(api: KubeApi): Promise<KubeObject[]> {
  const owned = await Promise.all(
    OWNED_KINDS.map(kind =>
      api.list(kind, `${MANAGED_BY_LABEL}=${MANAGED_BY}`),
    ),
  );
  const prometheuses = (await api.list(PROMETHEUS_KIND)).filter(ownsFields);
  return [...owned.flat(), ...prometheuses];
}

type ManagedFieldsEntry = { manager?: string; operation?: string };

/** The managedFields entries of a live object. */
export function managedFields(object: KubeObject): ManagedFieldsEntry[] {
  return (
    (object.metadata as { managedFields?: ManagedFieldsEntry[] })
      .managedFields ?? []
  );
}

/** Whether Tracegate's field manager applied any field of the object. */
function ownsFields(object: KubeObject): boolean {
  return managedFields(object).some(
    m => m.manager === FIELD_MANAGER && m.operation === 'Apply',
  );
}
