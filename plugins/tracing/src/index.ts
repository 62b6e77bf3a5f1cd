/**
 * Tracegate frontend: self-service distributed tracing for Backstage.
 * Legacy frontend system here; the new one in `/alpha`.
 *
 * @packageDocumentation
 */

export * from './api';
export {
  EntityTracingCard,
  EntityTracingContent,
  TracingPage,
  tracingPlugin,
} from './plugin';
export { isTracingAvailable } from '@tracegate/plugin-tracing-common';
