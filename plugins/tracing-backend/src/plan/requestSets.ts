/**
 * The request sets a cluster's plan is made for, named in one place: what
 * the cluster should hold now (the live set), and what it would hold if a
 * request were approved (a preview).
 */
import {
  LIVE_TRACING_REQUEST_STATUSES,
  TracingRequest,
} from '@tracegate/plugin-tracing-common';
import { TracingRequestStore } from '../database/TracingRequestStore';

/** The cluster's live requests: approved, active or failed. */
export function liveSet(
  store: TracingRequestStore,
  cluster: string,
): Promise<TracingRequest[]> {
  return store.listByCluster({
    cluster,
    statuses: LIVE_TRACING_REQUEST_STATUSES,
  });
}

/**
 * The live set as approving `candidate` would change it: the candidate as
 * approved (under its id, or `preview` before it has one), without the request
 * it replaces (approving a replacement ends it).
 */
export function previewSet(
  live: TracingRequest[],
  candidate: TracingRequest,
): { before: TracingRequest[]; after: TracingRequest[] } {
  const before = live.filter(r => r.id !== candidate.id);
  return {
    before,
    after: [
      ...before.filter(r => r.id !== candidate.supersedes),
      { ...candidate, id: candidate.id || 'preview', status: 'approved' },
    ],
  };
}
