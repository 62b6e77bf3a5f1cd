import { HumanDuration } from '@backstage/types';

export interface Config {
  /** Tracegate: self-service distributed tracing. */
  tracing?: {
    /**
     * The longest a tracing request may run (its `expiresAt` at most this far
     * from when it is filed). Default: 30 days. The request form reads it too.
     * @visibility frontend
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
     * The group whose members approve requests, as the default permission
     * policy in packages/backend reads it. Default: group:default/platform-admins.
     */
    adminGroup?: string;

    /**
     * How often the reconciler re-applies every cluster's desired state
     * (approve, revoke and expiry also trigger it at once). Default: 30 seconds.
     */
    reconcileFrequency?: HumanDuration;

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
        /** OTLP endpoint host:port, e.g. tempo-distributor.tempo.svc:4317. */
        otlpEndpoint?: string;
        /** OTLP protocol. Default: grpc. */
        protocol?: 'grpc' | 'http/protobuf';
        /** Whether the exporters skip TLS (plain text in-cluster). Default: true. */
        insecure?: boolean;
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
      /** The Beyla DaemonSet Tracegate manages. */
      beyla?: {
        /** Default: beyla. */
        namespace?: string;
        /** Default: grafana/beyla:2.5.0. */
        image?: string;
        /** instrument (Beyla >= 2.5) or services (legacy). Default: instrument. */
        dialect?: 'instrument' | 'services';
        /** Run privileged (default) or with the capability list. */
        privileged?: boolean;
      };
    }>;
  };
}
