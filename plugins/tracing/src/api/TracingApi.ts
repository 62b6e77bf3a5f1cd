import { createApiRef } from '@backstage/frontend-plugin-api';
import {
  ClusterInfo,
  DecisionInput,
  EntityTargets,
  EntityTracingCapabilities,
  EntityTracingStatus,
  ExtendInput,
  RecentTraces,
  TracingMethod,
  TracingCapabilities,
  TracingHealth,
  TracingPreview,
  TracingRequest,
  TracingRequestInput,
  TracingRequestPage,
  TracingRequestStatus,
  TracingRequestWithHistory,
} from '@tracegate/plugin-tracing-common';

/** @public */
export type ListRequestsOptions = {
  entityRef?: string;
  cluster?: string;
  requestedBy?: string;
  /** Words to find in the service, workload, namespace, cluster, requester or reason. */
  q?: string;
  status?: TracingRequestStatus[];
  limit?: number;
  cursor?: string;
};

/** The user actions on a request. @public */
export type TracingRequestDecision = 'approve' | 'reject' | 'cancel' | 'revoke';

/**
 * Client of the Tracegate backend (`/api/tracing`).
 *
 * @public
 */
export interface TracingApi {
  getHealth(): Promise<TracingHealth>;
  /** What the signed-in user may do, as the backend decides it. */
  getCapabilities(): Promise<TracingCapabilities>;
  listClusters(): Promise<ClusterInfo[]>;
  listRequests(options?: ListRequestsOptions): Promise<TracingRequestPage>;
  getRequest(id: string): Promise<TracingRequestWithHistory>;
  createRequest(input: TracingRequestInput): Promise<TracingRequest>;
  previewRequest(input: TracingRequestInput): Promise<TracingPreview>;
  /** What approving a stored request would apply (the approver's view). */
  getRequestPreview(id: string): Promise<TracingPreview>;
  decide(
    id: string,
    decision: TracingRequestDecision,
    input?: DecisionInput,
  ): Promise<TracingRequest>;
  getEntityStatus(entityRef: string): Promise<EntityTracingStatus>;
  /** What the caller may do for the entity, as the backend's policy says. */
  getEntityCapabilities(entityRef: string): Promise<EntityTracingCapabilities>;
  /** The entity's own workloads (or Prometheus CRs) on one cluster. */
  listEntityWorkloads(
    entityRef: string,
    cluster: string,
    method: TracingMethod,
  ): Promise<EntityTargets>;
  /** The request's target's recent traces, read by the backend from the cluster's trace store. */
  getRecentTraces(id: string): Promise<RecentTraces>;
  /** Files a replacement of the request with a later expiry. */
  extendRequest(id: string, input: ExtendInput): Promise<TracingRequest>;
}

/** @public */
export const tracingApiRef = createApiRef<TracingApi>({
  id: 'plugin.tracing.api',
});
