/**
 * The Tracegate backend plugin.
 *
 * @packageDocumentation
 */

export { tracingPlugin as default } from './plugin';
export {
  createTracingRequestConditionalDecision,
  tracingRequestConditions,
  tracingRequestResourceRef,
  tracingRequestRules,
} from './permissions/rules';
export {
  TracingPermissionPolicy,
  tracingPermissionPolicyModule,
  tracingPolicyDecision,
} from './permissions/policy';
export type { TracingPolicyUser } from './permissions/policy';
export type { TracingRequestFilter } from './database/TracingRequestStore';
