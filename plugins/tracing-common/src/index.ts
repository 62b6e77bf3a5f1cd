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
