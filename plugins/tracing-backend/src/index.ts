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
