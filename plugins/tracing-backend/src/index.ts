/**
 * The Tracegate backend plugin.
 *
 * @packageDocumentation
 */

export { tracingPlugin as default } from './plugin';
