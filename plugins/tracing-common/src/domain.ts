/**
 * The vocabulary both packages share: request states, methods, samplers,
 * target kinds, and the types of the HTTP contract's bodies (checked
 * against the generated contract types in contract.test.ts).
 */
/**
 * Every state a tracing request can be in; `TRACING_REQUEST_TRANSITIONS`
 * (stateMachine.ts) lists the moves between them.
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

/**
 * What a request can point at: a workload (eBPF) or a prometheus-operator
 * `Prometheus` custom resource (the native method).
 *
 * @public
 */
export const TARGET_KINDS = [...WORKLOAD_KINDS, 'Prometheus'] as const;

/** @public */
export type TargetKind = (typeof TARGET_KINDS)[number];

/**
 * The target kinds each method accepts.
 *
 * @public
 */
export const METHOD_TARGET_KINDS: Record<TracingMethod, readonly TargetKind[]> =
  {
    ebpf: WORKLOAD_KINDS,
    prometheus: ['Prometheus'],
  };

/**
 * A request's target on its cluster.
 *
 * @public
 */
export type TargetRef = { kind: TargetKind; namespace: string; name: string };

/**
 * The `service.name` and `service.namespace` Beyla gives a container's spans,
 * resolved by Beyla's own precedence (env, annotation, Helm labels, owner).
 *
 * @public
 */
export type BeylaServiceName = {
  container: string;
  name: string;
  /** Why: `label app.kubernetes.io/instance`, `the Deployment's name`, ... */
  nameSource: string;
  namespace: string;
  namespaceSource: string;
  /** What only the running pod can tell (an env var from a ConfigMap, ...). */
  unresolved?: string;
};

/**
 * What Beyla will call a target's spans, read from its pod template (or
 * running pods where they differ).
 *
 * @public
 */
export type BeylaNaming = {
  /** Where it was read, e.g. `pod template of Deployment shop/cart`. */
  from: string;
  /** One per container (each may carry another name). */
  names: BeylaServiceName[];
  /**
   * Kubernetes resource attributes the pods set themselves (an annotation,
   * `OTEL_RESOURCE_ATTRIBUTES`): spans carry those values, so a search by
   * the target's identity misses them.
   */
  overrides?: string[];
};

/**
 * What Tracegate found when it last looked for a request's target on the live
 * cluster (at create, preview and approve).
 *
 * @public
 */
export type TargetCheck = {
  /**
   * `verified`: the target exists; `not-found`: it does not; `not-verified`:
   * the cluster could not be read (`message` says why).
   */
  result: 'verified' | 'not-found' | 'not-verified';
  /**
   * Whether the target is one of the entity's own (its Kubernetes
   * annotations select it); absent when it could not be checked.
   */
  owned?: boolean;
  /** Filed by a caller who may target any workload, not only the entity's. */
  anyTarget?: boolean;
  at: string;
  message?: string;
  /** eBPF targets: the service name Beyla will give their spans. */
  beyla?: BeylaNaming;
};

/**
 * `GET /entities/:kind/:namespace/:name/workloads`: what a request for the
 * entity may target on one cluster.
 *
 * @public
 */
export type EntityTargets = {
  cluster: string;
  method: TracingMethod;
  /** How the entity's targets were found, e.g. `backstage.io/kubernetes-id=checkout in namespace shop`. */
  selector: string;
  items: TargetRef[];
  /** Why the list could not be read (then the form takes free text). */
  error?: string;
};

/**
 * A tracing request as the API returns it.
 *
 * @public
 */
export type TracingRequest = {
  id: string;
  /** The catalog Component, e.g. `component:default/checkout`. */
  entityRef: string;
  /** Owner of the entity when the request was filed, e.g. `group:default/team-shop`. */
  entityOwner: string;
  cluster: string;
  namespace: string;
  /** The target: a workload, or a `Prometheus` CR for the native method. */
  workload: { kind: TargetKind; name: string };
  podLabels?: Record<string, string>;
  /** Beyla port syntax: `8080`, `80,443`, `2000-15000`. */
  openPorts?: string;
  method: TracingMethod;
  sampling: { sampler: SamplerName; ratio: number };
  expiresAt: string;
  reason: string;
  status: TracingRequestStatus;
  requestedBy: string;
  createdAt: string;
  updatedAt: string;
  decision?: { by: string; at: string; comment?: string };
  lastApply?: LastApply;
  /** The live check of the target, from create or the last approve. */
  targetCheck?: TargetCheck;
  /**
   * The live request this one replaces (an extension or a change): approving
   * this one ends that one in the same transaction.
   */
  supersedes?: string;
  /**
   * Whether traces of the target reach the cluster's trace store: the
   * backend's scheduled check, while the request is `active`.
   */
  traces?: TraceArrival;
};

/**
 * What the last "traces arriving" check of an active request found in the
 * cluster's trace store.
 *
 * @public
 */
export type TraceArrival = {
  checkedAt: string;
  /** Start of the newest trace seen since the request turned `active`. */
  lastSeenAt?: string;
  /** Traces that started in the 15 minutes before `checkedAt`. */
  countLast15m: number;
  /** The count reached the check's query limit: there may be more. */
  countCapped?: boolean;
  /** Why the store could not be asked (the last known figures stay). */
  error?: string;
  /**
   * None seen after the grace period: what Tracegate checked that can keep
   * traces away (a Beyla pod not ready on the workload's node, ...).
   */
  reasons?: string[];
};

/**
 * How far a request's Beyla entry reaches the nodes that run its target's
 * pods (Beyla reads its config at start: a node runs the entry once its
 * Beyla pod started from a config that has it).
 *
 * @public
 */
export type RolloutState = {
  /** Nodes that run pods of the target. */
  desired: number;
  /** Of those, nodes whose Beyla started from a config with the entry. */
  updated: number;
  /** Of those, nodes whose Beyla pod is also ready. */
  ready: number;
  /** Every node that runs the target's pods runs its entry, ready. */
  complete: boolean;
  /** Why it is not complete, naming nodes, when Tracegate can tell. */
  message?: string;
};

/**
 * One object as the last reconcile pass found it.
 *
 * @public
 */
export type RecordedObject = {
  kind: string;
  namespace?: string;
  name: string;
  present: boolean;
  detail: string;
};

/**
 * The outcome of the last pass that applied a request's objects: when they
 * were last written, why not (`error`), and the rollout that carries them.
 *
 * @public
 */
export type LastApply = {
  at: string;
  error?: string;
  rollout?: RolloutState;
  /**
   * The request's own part of the cluster as the pass found it: its entry in
   * Beyla's config, or the Prometheus CR's tracingConfig.
   */
  objects?: RecordedObject[];
  /**
   * Git delivery: the commit that holds the request's objects, and whether
   * the cluster holds them as committed (a GitOps tool applied them).
   */
  commit?: {
    sha: string;
    onCluster: boolean;
    /** What the cluster does not hold yet, e.g. `DaemonSet beyla/beyla differs`. */
    waitingFor?: string;
  };
};

/**
 * One state change of a request.
 *
 * @public
 */
export type TracingRequestHistoryEntry = {
  actor: string;
  at: string;
  from: TracingRequestStatus | null;
  to: TracingRequestStatus;
  comment?: string;
};

/**
 * `GET /requests/:id`: the request and its history, oldest first.
 *
 * @public
 */
export type TracingRequestWithHistory = TracingRequest & {
  history: TracingRequestHistoryEntry[];
};

/**
 * `GET /requests`: one page, newest first.
 *
 * @public
 */
export type TracingRequestPage = {
  items: TracingRequest[];
  nextCursor?: string;
};

/**
 * `GET /clusters`: one configured cluster.
 *
 * @public
 */
export type ClusterInfo = {
  name: string;
  reachable: boolean;
  version?: string;
  error?: string;
  beylaDialect: 'instrument' | 'services';
};

/**
 * `POST /requests/preview`: what approving would apply.
 *
 * @public
 */
export type TracingPreview = {
  objects: Array<{
    apiVersion: string;
    kind: string;
    name: string;
    namespace?: string;
    yaml: string;
  }>;
  /**
   * Unified diff of the live objects against a server-side dry run; for a
   * cluster delivered through git, of the folder's files before and after.
   */
  diff?: string;
  /** Why there is no diff (e.g. the cluster is unreachable). */
  diffError?: string;
  /** What the requester should know, e.g. that the sampler is shared. */
  notes?: string[];
  /** The target as found on the live cluster now. */
  targetCheck?: TargetCheck;
  /**
   * Filing it now would approve it at once, by this `tracing.autoApprove`
   * rule (as the actor `tracegate:policy`).
   */
  autoApproval?: { rule: string };
};

/**
 * One live object behind a request.
 *
 * @public
 */
export type LiveObjectState = {
  requestId: string;
  cluster: string;
  kind: string;
  namespace?: string;
  name: string;
  present: boolean;
  detail: string;
};

/**
 * `GET /entities/:kind/:namespace/:name/status`.
 *
 * @public
 */
export type EntityTracingStatus = {
  requests: TracingRequest[];
  objects: LiveObjectState[];
  grafanaExploreUrl?: string;
};

/**
 * One trace of a request's target, as the trace store lists it.
 *
 * @public
 */
export type TraceSummary = {
  /** 32 hex digits. */
  traceId: string;
  startTime: string;
  rootServiceName: string;
  rootSpanName: string;
  durationMs: number;
  /** Whether a span of the trace has status error; absent when unknown. */
  error?: boolean;
  /** The trace in Grafana Explore (Tempo) or the Jaeger UI, when configured. */
  url?: string;
};

/**
 * How a target's traces are found in a trace store.
 *
 * @public
 */
export type TraceLookup = {
  /**
   * Resource attributes its spans carry: for eBPF, the target's Kubernetes
   * identity (`k8s.namespace.name` and the owner), whatever the service name.
   */
  resource: Array<{ attribute: string; value: string }>;
  /**
   * Service names to ask a store that searches by service only (Jaeger):
   * the names Beyla gives the target's pods; the answer is then kept to
   * spans that carry `resource`.
   */
  serviceNames: string[];
  /** The TraceQL that finds them (Tempo, and the Grafana Explore link). */
  traceQL: string;
};

/**
 * `GET /requests/:id/traces`: the target's recent traces, newest first.
 *
 * @public
 */
export type RecentTraces = {
  requestId: string;
  cluster: string;
  /** `tempo` or `jaeger`; absent when the cluster has no trace store. */
  store?: 'tempo' | 'jaeger';
  /** How they were looked up. */
  lookup: TraceLookup;
  /** The window asked for. */
  from: string;
  to: string;
  items: TraceSummary[];
  /** Why the store could not be asked; `items` is then empty. */
  error?: string;
  /** What the list may include or miss, e.g. other Prometheus servers. */
  note?: string;
};

/**
 * `GET /capabilities`: what the caller may do, as the backend decides it
 * (the permission policy, or the plugin's own rules when the permission
 * framework is off).
 *
 * @public
 */
export type TracingCapabilities = {
  /** Approve and reject requests: the queue. */
  approve: boolean;
  /** `tracing.maxDuration` in milliseconds: the longest a request may run. */
  maxDurationMs: number;
};

/**
 * `GET /entities/{kind}/{namespace}/{name}/capabilities`: what the caller may
 * do for one entity, as the backend's permission policy decides it.
 *
 * @public
 */
export type EntityTracingCapabilities = {
  /** File a request for this entity (the tab's "Request tracing"). */
  request: boolean;
};
