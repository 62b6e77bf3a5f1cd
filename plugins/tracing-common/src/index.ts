/**
 * Shared types, vocabulary and helpers of the Tracegate tracing plugins.
 *
 * @packageDocumentation
 */

export * from './domain';
export * from './entity';
export * from './health';
export * from './permissions';
export * from './schemas';
export * from './stateMachine';
export * from './rollout';
export * from './targetCheck';
export * from './traces';
/**
 * The HTTP contract's types, generated from the backend's
 * `src/schema/openapi.yaml` (openapi-typescript). The frontend client is
 * typed with them.
 *
 * @public
 */
export type {
  paths as TracingApiPaths,
  operations as TracingApiOperations,
  components as TracingApiComponents,
} from './schema/openapi';
