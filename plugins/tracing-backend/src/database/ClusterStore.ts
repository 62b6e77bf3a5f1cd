import { RecordedObject } from '@tracegate/plugin-tracing-common';

/**
 * What the last reconcile pass of a cluster found, for status to read
 * instead of the cluster.
 */
export type ClusterState = {
  at: string;
  /** Beyla's config and DaemonSet (they serve every eBPF request). */
  beylaObjects: RecordedObject[];
  /** The Grafana datasource (it serves every request). */
  sharedObjects: RecordedObject[];
  /** Beyla on the nodes, when it runs. */
  beyla?: {
    nodes: number;
    withoutReadyBeyla: string[];
    configsInUse: string[];
    waiting: Array<{ node: string; reason: string }>;
  };
  /** Problems not tied to a request. */
  errors: string[];
};

/**
 * Per-cluster rows: the revision of its live set (bumped by the request
 * store in the transaction of each change to it), the lease a reconcile pass
 * holds, and what the last pass found.
 */
export interface ClusterStore {
  /** The revision of the cluster's live set (0 before any change). */
  clusterRevision(cluster: string): Promise<number>;

  /**
   * Takes the cluster's reconcile lease for `holder` until `now + ttlMs` if
   * it is free, expired or already the holder's; resolves to whether it did.
   * Renewing is taking it again.
   */
  acquireLease(options: {
    cluster: string;
    holder: string;
    ttlMs: number;
    now: number;
  }): Promise<boolean>;

  /** Gives the lease up, if `holder` still has it. */
  releaseLease(options: { cluster: string; holder: string }): Promise<void>;

  /** Records what a pass found (the caller writes only what changed). */
  recordState(cluster: string, state: ClusterState): Promise<void>;

  /** What the last pass of each cluster found, where one ran. */
  states(clusters: string[]): Promise<Map<string, ClusterState>>;
}
