import { KubeApiError } from '../clusters/errors';
import { KubeApi } from '../clusters/KubeApi';
import { managedFields } from '../plan';
import { KubeObject } from '../render/types';

/**
 * Server-side apply. A conflict is understood when every other manager of
 * the fields came from an update (a hand edit: kubectl edit/patch): the apply
 * takes the fields back. A conflict with another applier is reported, not
 * forced.
 */
export async function applyTakingBackHandEdits(
  api: KubeApi,
  object: KubeObject,
) {
  try {
    await api.apply(object);
  } catch (error) {
    if (!(error instanceof KubeApiError) || error.status !== 409) throw error;
    const live = await api.get(object);
    if (!live || !onlyHandEdits(error.message, live)) throw error;
    await api.apply(object, { force: true });
  }
}

/**
 * Whether the managers named in a conflict message all changed the object by
 * update rather than by apply.
 */
function onlyHandEdits(conflictMessage: string, live: KubeObject): boolean {
  const managers = [
    ...conflictMessage.matchAll(/conflicts? with "([^"]+)"/g),
  ].map(m => m[1]);
  const entries = managedFields(live);
  return (
    managers.length > 0 &&
    managers.every(manager => {
      const ops = entries
        .filter(e => e.manager === manager)
        .map(e => e.operation);
      return ops.length > 0 && ops.every(op => op === 'Update');
    })
  );
}
