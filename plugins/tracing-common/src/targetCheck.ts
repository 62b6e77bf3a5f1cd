import { TargetCheck } from './domain';

/**
 * A target check in two or three words, for a table cell: "own, verified",
 * "not found", "not verified" (describeTargetCheck says it in full).
 *
 * @public
 */
export function shortTargetCheck(check?: TargetCheck): string {
  if (!check) return 'not checked';
  switch (check.result) {
    case 'verified':
      if (check.owned) return 'own, verified';
      return check.anyTarget ? 'not own (admin)' : 'not own';
    case 'not-found':
      return 'not found';
    default:
      return 'not verified';
  }
}

/**
 * A target check in a few words, the same in the queue, the tab and the form:
 * "target verified, the entity's own", "target not found", "target not
 * verified".
 *
 * @public
 */
export function describeTargetCheck(check?: TargetCheck): string {
  if (!check) return 'target not checked';
  switch (check.result) {
    case 'verified':
      if (check.owned) return "target verified, the entity's own";
      return check.anyTarget
        ? "target verified, not the entity's own (filed by an admin)"
        : "target verified, not the entity's own";
    case 'not-found':
      return 'target not found';
    default:
      return 'target not verified';
  }
}
