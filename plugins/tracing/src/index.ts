/**
 * Tracegate frontend: self-service distributed tracing for Backstage.
 *
 * @packageDocumentation
 */

export * from './api';
