import { HumanDuration } from '@backstage/types';

export interface Config {
  /** Tracegate: self-service distributed tracing. */
  tracing?: {
    /**
     * The longest a tracing request may run, from filing to expiry. Default:
     * 30 days. The form learns it from `GET /capabilities`.
     */
    maxDuration?: HumanDuration;

    /**
     * Whether an approver may approve or reject their own request.
     * Default: false.
     */
    allowSelfApproval?: boolean;

    /**
     * How often requests past their `expiresAt` are moved to `expired`.
     * Default: every minute.
     */
    expiryFrequency?: HumanDuration;

    /**
     * The group whose members approve requests, as the plugin's permission
     * policy (tracingPermissionPolicyModule) reads it, and as the plugin
     * itself applies it when the permission framework is off; its members are
     * notified of new requests. Default: group:default/platform-admins.
     */
    adminGroup?: string;

    /**
     * How often the reconciler re-applies every cluster's desired state
     * (approve, revoke and expiry also trigger it at once). Default: 30 seconds.
     */
    reconcileFrequency?: HumanDuration;

    /**
     * Requests these rules approve at once, as the actor `tracegate:policy`
     * (the rule's name in history, audit and notification). A request
     * matches a rule when its target was verified as the entity's own and
     * every condition the rule sets holds; the first matching rule wins. A
     * rule that cannot be right stops the backend at start-up, naming it.
     * No rule, no auto-approval.
     */
    autoApprove?: Array<{
      /** Letters, digits, `.`, `_`, `-`; unique. */
      name: string;
      /** Cluster names or globs (`dev-*`); each must match a configured cluster. Default: any. */
      clusters?: string[];
      /** Default: any. */
      methods?: Array<'ebpf' | 'prometheus'>;
      /** The largest fraction of traces the sampler keeps (always_on: 1). Required. */
      maxRatio: number;
      /** The longest time from filing to expiry; at most maxDuration. Required. */
      maxDuration: HumanDuration;
      /** The entity's `spec.lifecycle`, e.g. [experimental, development]. Default: any. */
      lifecycles?: string[];
    }>;

    /**
     * "Traces arriving": how often every active request's trace store is
     * asked whether its traces arrive (one search per active request per
     * run, 4 at a time), and how long after activation none counts as "no
     * traces yet", with the reasons Tracegate can check.
     */
    traceCheck?: {
      /** Default: 2 minutes. */
      frequency?: HumanDuration;
      /** Default: 3 minutes. */
      gracePeriod?: HumanDuration;
    };

    /**
     * How long the reconciler waits after an approval, revoke or expiry for
     * more before it applies them, so that changes close together share one
     * Beyla rollout (every rollout restarts Beyla on every node, and a new
     * one restarts the one in progress). Approve -> applied takes up to this
     * much longer. Default: 2 seconds; 0 applies at once.
     */
    applyWindow?: HumanDuration;

    /** The clusters a request may target. Names mirror the Kubernetes plugin's. */
    clusters?: Array<{
      /** The name requests use, e.g. `local` or `prod-eu-1`. */
      name: string;
      /** API server URL; not needed with authProvider `inCluster` or `kubeconfig`. */
      url?: string;
      /** How Tracegate authenticates. Default: serviceAccount. */
      authProvider?: 'serviceAccount' | 'kubeconfig' | 'inCluster';
      /**
       * Bearer token of Tracegate's ServiceAccount (authProvider serviceAccount).
       * @visibility secret
       */
      serviceAccountToken?: string;
      /** Base64 PEM of the API server's CA. */
      caData?: string;
      /** Path of a PEM file with the API server's CA. */
      caFile?: string;
      /** Skip TLS verification of the API server (never in production). */
      skipTLSVerify?: boolean;
      /** authProvider kubeconfig: the file and (optionally) the context. */
      kubeconfig?: { file: string; context?: string };
      /** Where the traces go. */
      tempo?: {
        /**
         * OTLP endpoint as host:port, no scheme and no path (Prometheus sends
         * nothing to a URL with a scheme; Beyla's scheme follows `insecure`).
         * Prometheus' http client always posts to /v1/traces. Default:
         * tempo-distributor.tempo.svc:4317.
         */
        otlpEndpoint?: string;
        /** OTLP protocol; must agree with the port (gRPC 4317, HTTP 4318). Default: grpc. */
        protocol?: 'grpc' | 'http/protobuf';
        /** Plain text (true, default) or TLS (false). */
        insecure?: boolean;
        /**
         * Headers sent with every export, e.g. `X-Scope-OrgID: platform` for
         * a multi-tenant Tempo (Prometheus `tracingConfig.headers`; Beyla's
         * `OTEL_EXPORTER_OTLP_TRACES_HEADERS`). They may hold a credential:
         * previews and diffs show them redacted.
         * @visibility secret
         */
        headers?: { [name: string]: string };
        /**
         * Base64 PEM of the CA of a TLS endpoint (or `caFile`, a path): rendered
         * as ConfigMap `tracegate-otlp-ca`, used by Prometheus'
         * `tracingConfig.tlsConfig` and Beyla's `OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE`.
         */
        caData?: string;
        /** Path of a PEM file with that CA. */
        caFile?: string;
        /** Grafana base URL, for the Explore links in the entity tab. */
        grafanaUrl?: string;
        /** UID of the Tempo datasource in Grafana. Default: tempo. */
        datasourceUid?: string;
        /**
         * When set, Tracegate applies a Grafana datasource ConfigMap (label
         * grafana_datasource: "1") pointing at this query URL, e.g.
         * http://tempo-query-frontend.tempo.svc:3200.
         */
        queryUrl?: string;
        /** Namespace of that datasource ConfigMap. Default: monitoring. */
        datasourceNamespace?: string;
      };
      /**
       * Where Tracegate reads this cluster's traces back: the entity tab's
       * recent traces and the "traces arriving" check. Only the backend
       * talks to it. Without it, `tempo.queryUrl` (with `tempo.headers`) is
       * used as a Tempo store; without either, nothing is checked.
       */
      traces?: {
        /**
         * `tempo`: Tempo's `GET /api/search` (TraceQL); `jaeger`: Jaeger v2's
         * `GET /api/v3/traces`.
         */
        type: 'tempo' | 'jaeger';
        /** Query API base URL, e.g. http://tempo-query-frontend.tempo.svc:3200. */
        url: string;
        /**
         * Headers sent with every query, e.g. `X-Scope-OrgID` or an
         * `Authorization` header. Never sent to the browser or logged.
         * @visibility secret
         */
        headers?: { [name: string]: string };
        /**
         * Jaeger UI base URL, for links to each trace (`/trace/<id>`). Tempo
         * traces link to Grafana Explore (`tempo.grafanaUrl`).
         */
        uiUrl?: string;
      };
      /**
       * `Prometheus` CRs (native method) the platform assigns to catalog
       * entities, for CRs that do not carry the entity's
       * `backstage.io/kubernetes-id` label.
       */
      prometheusInstances?: Array<{
        namespace: string;
        name: string;
        /** e.g. component:default/prometheus-k8s */
        entityRef: string;
      }>;
      /**
       * How the rendered objects reach the cluster. `apply` (default):
       * Tracegate applies them with server-side apply. `git`: it commits
       * them as files to a folder of a repository (one commit per pass that
       * changes something, naming the requests and their approvers; pushed
       * again on top when the branch moved) and only reads the cluster; a
       * GitOps tool (Argo CD, Flux) applies the folder. A request is
       * `approved · committed <sha>` until the cluster holds the commit and
       * Beyla runs it, then `active`. Beyla's DaemonSet then rolls on every
       * node for every change (`beyla.maxParallelRestarts` nodes at a time,
       * each new pod ready before the old one goes).
       * `tempo.headers` are refused with `git` (they would be committed).
       */
      delivery?: {
        type: 'apply' | 'git';
        git?: {
          /** http(s) URL of the repository, without credentials. */
          url: string;
          /** Default: main. The branch must exist. */
          branch?: string;
          /**
           * Folder for Tracegate's files, relative to the repository's root
           * (one per cluster; Tracegate removes only files it wrote, marked
           * in their first line). Default: tracegate/<cluster name>.
           */
          folder?: string;
          /**
           * Username for `token` (HTTP Basic). Default: git. Without a
           * token, the `integrations` entry for the URL's host gives the
           * credentials (github, gitlab, gitea, bitbucketServer).
           */
          username?: string;
          /**
           * Password or access token that may read and push the branch.
           * @visibility secret
           */
          token?: string;
          /** Commit author. Default: Tracegate <tracegate@backstage.invalid>. */
          authorName?: string;
          authorEmail?: string;
        };
      };
      /** The Beyla DaemonSet Tracegate manages. */
      beyla?: {
        /** Default: beyla. A namespace Tracegate did not create is never deleted. */
        namespace?: string;
        /**
         * Default: grafana/beyla:3.33.0. The tag gives the version, which
         * decides what is rendered (see `version`).
         */
        image?: string;
        /**
         * The Beyla version, needed only when the image has no version tag
         * (pinned by digest); must agree with the tag otherwise. Below 2.5.0:
         * `discovery.services` and one shared sampler; 2.5.0-2.5.2:
         * `discovery.instrument` and one shared sampler (the most demanding
         * request's); from 2.5.3: a sampler per entry.
         */
        version?: string;
        /**
         * Derived from the version; `services` may be forced on newer Beyla.
         * `instrument` below 2.5.0 is a start-up error.
         */
        dialect?: 'instrument' | 'services';
        /** Run privileged (default) or with the capability list. */
        privileged?: boolean;
        /**
         * Namespaces of Beyla's default exclusions (kube-system, monitoring,
         * ...) that requests may target on this cluster; Tracegate then renders
         * `discovery.default_exclude_instrument` without them.
         */
        allowExcludedNamespaces?: string[];
        /**
         * How long a DaemonSet rollout may take before its requests turn
         * `failed` with the pods' reason. Default: 5 minutes.
         */
        rolloutDeadline?: HumanDuration;
        /**
         * PriorityClass of Beyla's pods, so that a full node makes room for
         * Beyla (the scheduler preempts a lower-priority pod). Default
         * `system-node-critical`, which any namespace may use since Kubernetes
         * 1.17 unless the cluster limits it with a ResourceQuota (GKE: add the
         * `PriorityClass In [system-node-critical]` quota to Beyla's namespace,
         * or name a PriorityClass of your own). `false`: none; then a full
         * node keeps its Beyla on its old config rather than risk having none.
         */
        priorityClassName?: string | false;
        /**
         * Beyla pods restarted at once, each on another node (a change
         * restarts only the pods on nodes that run pods of the targets it
         * concerns); with git delivery, the DaemonSet's `maxSurge`. Default 10.
         */
        maxParallelRestarts?: number;
        /**
         * Configurations Beyla's pods may run at once: nodes a change did not
         * concern keep theirs (each is a ConfigMap kept while a pod reads it).
         * Past this, the nodes on the oldest are restarted. Default 8.
         */
        maxConfigVersions?: number;
      };
    }>;
  };
}
