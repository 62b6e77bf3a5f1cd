/**
 * Every state a tracing request can be in; see DESIGN.md for the transitions.
 *
 * @public
 */
export const TRACING_REQUEST_STATUSES = [
  'pending',
  'approved',
  'active',
  'failed',
  'rejected',
  'cancelled',
  'revoked',
  'expired',
] as const;

/** @public */
export type TracingRequestStatus = (typeof TRACING_REQUEST_STATUSES)[number];

/**
 * How traces are produced: Beyla eBPF auto-instrumentation, or the
 * `spec.tracingConfig` of a Prometheus custom resource.
 *
 * @public
 */
export const TRACING_METHODS = ['ebpf', 'prometheus'] as const;

/** @public */
export type TracingMethod = (typeof TRACING_METHODS)[number];

/**
 * Sampler names accepted by Beyla's `sampler.name` (OpenTelemetry's names).
 *
 * @public
 */
export const SAMPLER_NAMES = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;

/** @public */
export type SamplerName = (typeof SAMPLER_NAMES)[number];

/**
 * Workload kinds a request can point at.
 *
 * @public
 */
export const WORKLOAD_KINDS = [
  'Deployment',
  'StatefulSet',
  'DaemonSet',
] as const;

/** @public */
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];
