import { parseEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import {
  ClusterInfo,
  DecisionInput,
  EntityTargets,
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
  TracingRequestWithHistory,
} from '@tracegate/plugin-tracing-common';
import {
  ListRequestsOptions,
  TracingApi,
  TracingRequestDecision,
} from './TracingApi';

/**
 * {@link TracingApi} over HTTP, with the signed-in user's token.
 *
 * @public
 */
export class TracingClient implements TracingApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  getHealth(): Promise<TracingHealth> {
    return this.request<TracingHealth>('/health');
  }

  getCapabilities(): Promise<TracingCapabilities> {
    return this.request<TracingCapabilities>('/capabilities');
  }

  async listClusters(): Promise<ClusterInfo[]> {
    return (await this.request<{ items: ClusterInfo[] }>('/clusters')).items;
  }

  listRequests(options: ListRequestsOptions = {}): Promise<TracingRequestPage> {
    const query = new URLSearchParams();
    for (const key of [
      'entityRef',
      'cluster',
      'requestedBy',
      'q',
      'cursor',
    ] as const) {
      const value = options[key];
      if (value) query.set(key, value);
    }
    for (const status of options.status ?? []) query.append('status', status);
    if (options.limit) query.set('limit', String(options.limit));
    const suffix = query.size ? `?${query}` : '';
    return this.request<TracingRequestPage>(`/requests${suffix}`);
  }

  getRequest(id: string): Promise<TracingRequestWithHistory> {
    return this.request(`/requests/${encodeURIComponent(id)}`);
  }

  createRequest(input: TracingRequestInput): Promise<TracingRequest> {
    return this.post('/requests', input);
  }

  previewRequest(input: TracingRequestInput): Promise<TracingPreview> {
    return this.post('/requests/preview', input);
  }

  getRequestPreview(id: string): Promise<TracingPreview> {
    return this.request(`/requests/${encodeURIComponent(id)}/preview`);
  }

  getRecentTraces(id: string): Promise<RecentTraces> {
    return this.request(`/requests/${encodeURIComponent(id)}/traces`);
  }

  decide(
    id: string,
    decision: TracingRequestDecision,
    input: DecisionInput = {},
  ): Promise<TracingRequest> {
    return this.post(`/requests/${encodeURIComponent(id)}/${decision}`, input);
  }

  getEntityStatus(entityRef: string): Promise<EntityTracingStatus> {
    return this.request(`${entityPath(entityRef)}/status`);
  }

  listEntityWorkloads(
    entityRef: string,
    cluster: string,
    method: TracingMethod,
  ): Promise<EntityTargets> {
    const query = new URLSearchParams({ cluster, method });
    return this.request(`${entityPath(entityRef)}/workloads?${query}`);
  }

  extendRequest(id: string, input: ExtendInput): Promise<TracingRequest> {
    return this.post(`/requests/${encodeURIComponent(id)}/extend`, input);
  }

  private post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  private async request<T>(path: string, init?: RequestInit): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl('tracing');
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`, init);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}

function entityPath(entityRef: string): string {
  const { kind, namespace, name } = parseEntityRef(entityRef);
  return `/entities/${[kind, namespace, name]
    .map(encodeURIComponent)
    .join('/')}`;
}
