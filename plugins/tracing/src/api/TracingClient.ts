import { parseEntityRef } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
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
  TracingRequestWithHistory,
  TracingApiPaths,
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
    return this.get('/health', {});
  }

  getCapabilities(): Promise<TracingCapabilities> {
    return this.get('/capabilities', {});
  }

  async listClusters(): Promise<ClusterInfo[]> {
    return (await this.get('/clusters', {})).items;
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
    return this.get('/requests', {}, query);
  }

  getRequest(id: string): Promise<TracingRequestWithHistory> {
    return this.get('/requests/{id}', { id });
  }

  createRequest(input: TracingRequestInput): Promise<TracingRequest> {
    return this.post('/requests', {}, input);
  }

  previewRequest(input: TracingRequestInput): Promise<TracingPreview> {
    return this.post('/requests/preview', {}, input);
  }

  getRequestPreview(id: string): Promise<TracingPreview> {
    return this.get('/requests/{id}/preview', { id });
  }

  getRecentTraces(id: string): Promise<RecentTraces> {
    return this.get('/requests/{id}/traces', { id });
  }

  decide(
    id: string,
    decision: TracingRequestDecision,
    input: DecisionInput = {},
  ): Promise<TracingRequest> {
    return this.post(`/requests/{id}/${decision}`, { id }, input);
  }

  getEntityCapabilities(entityRef: string): Promise<EntityTracingCapabilities> {
    return this.get(
      '/entities/{kind}/{namespace}/{name}/capabilities',
      parseEntityRef(entityRef),
    );
  }

  getEntityStatus(entityRef: string): Promise<EntityTracingStatus> {
    return this.get(
      '/entities/{kind}/{namespace}/{name}/status',
      parseEntityRef(entityRef),
    );
  }

  listEntityWorkloads(
    entityRef: string,
    cluster: string,
    method: TracingMethod,
  ): Promise<EntityTargets> {
    return this.get(
      '/entities/{kind}/{namespace}/{name}/workloads',
      parseEntityRef(entityRef),
      new URLSearchParams({ cluster, method }),
    );
  }

  extendRequest(id: string, input: ExtendInput): Promise<TracingRequest> {
    return this.post('/requests/{id}/extend', { id }, input);
  }

  /** GET of a route of the contract; the answer typed as the contract has it. */
  private get<P extends PathWith<'get'>>(
    template: P,
    params: PathParams,
    query?: URLSearchParams,
  ): Promise<SuccessBody<TracingApiPaths[P]['get']>> {
    const suffix = query?.size ? `?${query}` : '';
    return this.request(`${fillPath(template, params)}${suffix}`);
  }

  /** POST to a route of the contract, with the body the contract takes. */
  private post<P extends PathWith<'post'>>(
    template: P,
    params: PathParams,
    body: RequestBody<TracingApiPaths[P]['post']>,
  ): Promise<SuccessBody<TracingApiPaths[P]['post']>> {
    return this.request(fillPath(template, params), {
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

/** The contract's paths that have an operation for `method`. */
type PathWith<M extends 'get' | 'post'> = {
  [P in keyof TracingApiPaths]: TracingApiPaths[P][M] extends {
    responses: unknown;
  }
    ? P
    : never;
}[keyof TracingApiPaths];

/** The JSON body of an operation's 200 or 201 answer. */
type SuccessBody<O> = O extends {
  responses: { 200: { content: { 'application/json': infer B } } };
}
  ? B
  : O extends {
      responses: { 201: { content: { 'application/json': infer B } } };
    }
  ? B
  : never;

/** The JSON body an operation takes. */
type RequestBody<O> = O extends {
  requestBody?: { content: { 'application/json': infer B } };
}
  ? B
  : never;

type PathParams = Record<string, string>;

/** `/requests/{id}` with `{ id }`, each value encoded. */
function fillPath(template: string, params: PathParams): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => {
    const value = params[key];
    if (value === undefined) throw new Error(`${template}: no ${key}`);
    return encodeURIComponent(value);
  });
}
