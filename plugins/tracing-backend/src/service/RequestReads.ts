/**
 * Reading tracing requests as the caller may: one with its history, a page
 * filtered by the permission policy's conditions, and whether the caller
 * may approve (the queue).
 */
import { NotFoundError } from '@backstage/errors';
import {
  ListRequestsQuery,
  TracingRequest,
  TracingRequestPage,
  TracingRequestWithHistory,
  tracingRequestApprovePermission,
  tracingRequestReadPermission,
} from '@tracegate/plugin-tracing-common';
import { TracingRequestStore } from '../database/TracingRequestStore';
import { Caller } from './Caller';
import { RequestAuthorizer } from './RequestAuthorizer';

/** @internal */
export class RequestReads {
  constructor(
    private readonly options: {
      store: TracingRequestStore;
      authorizer: RequestAuthorizer;
    },
  ) {}

  /** The stored request, or a 404. */
  async load(id: string): Promise<TracingRequest> {
    const request = await this.options.store.get(id);
    if (!request) {
      throw new NotFoundError(`No tracing request with id ${id}`);
    }
    return request;
  }

  async get(id: string, caller: Caller): Promise<TracingRequestWithHistory> {
    const request = await this.load(id);
    await this.options.authorizer.authorize(
      tracingRequestReadPermission,
      request,
      caller,
    );
    return { ...request, history: await this.options.store.getHistory(id) };
  }

  async list(
    query: ListRequestsQuery,
    caller: Caller,
  ): Promise<TracingRequestPage> {
    const filter = await this.options.authorizer.readFilter(caller);
    return this.options.store.list({
      entityRef: query.entityRef,
      cluster: query.cluster,
      requestedBy: query.requestedBy,
      statuses: query.status,
      q: query.q,
      limit: query.limit,
      cursor: query.cursor,
      filter,
    });
  }

  /**
   * Whether the caller may approve (the queue): the policy allows it, and,
   * with the permission framework off, the caller is in tracing.adminGroup.
   */
  mayApprove(caller: Caller): Promise<boolean> {
    return this.options.authorizer.allows(
      tracingRequestApprovePermission,
      undefined,
      caller,
    );
  }
}
