import {
  BackstageCredentials,
  BackstageUserPrincipal,
  HttpAuthService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { ServiceUnavailableError } from '@backstage/errors';
import {
  createExtendInputSchema,
  createTracingRequestInputSchema,
  TRACING_METHODS,
  decisionInputSchema,
  fieldErrors,
  listRequestsQuerySchema,
  rejectInputSchema,
  TracingCapabilities,
  EntityTracingCapabilities,
  TracingHealth,
  TracingPreview,
} from '@tracegate/plugin-tracing-common';
import { ApiRouter } from '@backstage/backend-openapi-utils';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { isDatabaseUnavailable } from './database/unavailable';
import { createOpenApiRouter, spec } from './schema/openapi/generated/router';
import { TracingConfig } from './service/config';
import { ClusterListService } from './status/ClusterListService';
import { EntityStatusService } from './status/EntityStatusService';
import { PreviewService } from './status/PreviewService';
import { TargetService } from './targets/TargetService';
import { RecentTracesService } from './traces/RecentTracesService';
import { CatalogEntities } from './service/CatalogEntities';
import { RequestReads } from './service/RequestReads';
import { TargetAdmission } from './service/TargetAdmission';
import {
  Caller,
  TracingRequestService,
  UserAction,
} from './service/TracingRequestService';
import { fieldInputError } from './service/fieldInputError';

/** @internal */
export type RouterOptions = {
  httpAuth: HttpAuthService;
  logger: LoggerService;
  /** The lifecycle's commands. */
  service: TracingRequestService;
  reads: RequestReads;
  admission: TargetAdmission;
  entities: CatalogEntities;
  clusterList: ClusterListService;
  previews: PreviewService;
  entityStatus: EntityStatusService;
  recentTraces: RecentTracesService;
  targets: TargetService;
  config: TracingConfig;
};

const BODY_LIMIT = '64kb';

/** Routes typed from the HTTP contract, `schema/openapi.yaml`. */
type TracingRouter = ApiRouter<typeof spec>;

/** @internal */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  // The body is parsed, and its errors named, before the contract's router:
  // that router turns every error reaching it into a 400.
  const router = Router();
  router.use(express.json({ limit: BODY_LIMIT }));
  router.use(bodyErrorsNameTheBody);
  const api = await createOpenApiRouter({
    middleware: [express.json({ limit: BODY_LIMIT })], // a no-op once parsed
    validatorOptions: {
      // The plugin's httpAuth checks tokens (401, or 403 for a service).
      validateSecurity: false,
      // Inputs are checked by the zod schemas, whose 400s name each field
      // (error.fields); inputDrift.test.ts keeps them and the contract equal.
      validateRequests: false,
    },
  });
  router.use(api);
  bindHealthEndpoint(api, options);
  bindCapabilitiesEndpoint(api, options);
  bindCreateEndpoint(api, options);
  bindPreviewEndpoint(api, options);
  bindRequestPreviewEndpoint(api, options);
  bindRecentTracesEndpoint(api, options);
  bindClustersEndpoint(api, options);
  bindEntityStatusEndpoint(api, options);
  bindEntityCapabilitiesEndpoint(api, options);
  bindEntityWorkloadsEndpoint(api, options);
  bindExtendEndpoint(api, options);
  bindListEndpoint(api, options);
  bindGetEndpoint(api, options);
  bindActionEndpoint(api, options, 'approve', decisionInputSchema);
  bindActionEndpoint(api, options, 'reject', rejectInputSchema);
  bindActionEndpoint(api, options, 'cancel', decisionInputSchema);
  bindActionEndpoint(api, options, 'revoke', decisionInputSchema);
  api.use(databaseOutageAs503(options.logger));
  return router;
}

/**
 * A database that is not there is a 503 that says so, not a 500 carrying
 * the socket error (the database's address and port) to the browser. Every
 * write is one transaction, so nothing was half-written.
 */
function databaseOutageAs503(logger: LoggerService) {
  return (
    error: Error,
    _req: Request,
    _res: express.Response,
    next: express.NextFunction,
  ) => {
    if (!isDatabaseUnavailable(error)) {
      next(error);
      return;
    }
    logger.error('The database did not answer', error);
    next(
      new ServiceUnavailableError(
        'The database did not answer; nothing was changed. Try again shortly',
      ),
    );
  };
}

/**
 * express.json's own errors (malformed JSON, a JSON primitive, too large)
 * as 4xx answers that name the body, as validation errors name fields.
 */
function bodyErrorsNameTheBody(
  error: Error & { type?: string; status?: number },
  _req: Request,
  _res: express.Response,
  next: express.NextFunction,
) {
  if (error.type === 'entity.too.large') {
    next(
      Object.assign(new Error(`(body): must be at most ${BODY_LIMIT}`), {
        name: 'PayloadTooLargeError',
        status: 413,
      }),
    );
  } else if (
    error.type?.startsWith('entity.') ||
    error.type === 'charset.unsupported'
  ) {
    next(
      fieldInputError({
        field: '(body)',
        message: `must be a JSON object (${error.message})`,
      }),
    );
  } else {
    next(error);
  }
}

const requestIdSchema = z.guid('must be the id of a request');

/** The `:id` of a request route: a 400 naming `id` when it cannot be one. */
function requestId(req: Request): string {
  const result = requestIdSchema.safeParse(req.params.id);
  if (!result.success) {
    throw fieldInputError({
      field: 'id',
      message: result.error.issues[0].message,
    });
  }
  return result.data;
}

/** Parses with a zod schema, or throws a 400 that names the failing fields. */
function parse<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) {
    throw fieldInputError(fieldErrors(result.error));
  }
  return result.data;
}

async function userCaller(
  httpAuth: HttpAuthService,
  // The contract types each route's query; this only reads the headers.
  req: Request<any, any, any, any>,
): Promise<Caller> {
  const credentials: BackstageCredentials<BackstageUserPrincipal> =
    await httpAuth.credentials(req, { allow: ['user'] });
  return { credentials, request: req };
}

function bindHealthEndpoint(
  router: TracingRouter,
  { httpAuth }: RouterOptions,
) {
  router.get('/health', async (req, res) => {
    // Any authenticated caller, user or service; anonymous callers get 401.
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    const body: TracingHealth = { status: 'ok' };
    res.json(body);
  });
}

function bindCapabilitiesEndpoint(
  router: TracingRouter,
  { httpAuth, reads, config }: RouterOptions,
) {
  // What the UI may offer this user; every action checks again.
  router.get('/capabilities', async (req, res) => {
    const caller = await userCaller(httpAuth, req);
    const body: TracingCapabilities = {
      approve: await reads.mayApprove(caller),
      maxDurationMs: config.maxDurationMs,
    };
    res.json(body);
  });
}

function bindCreateEndpoint(
  router: TracingRouter,
  { httpAuth, service, config }: RouterOptions,
) {
  router.post('/requests', async (req, res) => {
    const caller = await userCaller(httpAuth, req);
    const input = parse(
      createTracingRequestInputSchema({ maxDurationMs: config.maxDurationMs }),
      req.body,
    );
    res.status(201).json(await service.create(input, caller));
  });
}

function bindPreviewEndpoint(
  router: TracingRouter,
  { httpAuth, service, previews, config }: RouterOptions,
) {
  router.post('/requests/preview', async (req, res) => {
    const caller = await userCaller(httpAuth, req);
    const input = parse(
      createTracingRequestInputSchema({ maxDurationMs: config.maxDurationMs }),
      req.body,
    );
    res.json(
      await previews.previewFiling(await service.prepare(input, caller)),
    );
  });
}

function bindRequestPreviewEndpoint(
  router: TracingRouter,
  { httpAuth, reads, admission, previews }: RouterOptions,
) {
  // The approver's view: what approving this stored request would apply.
  router.get('/requests/:id/preview', async (req, res) => {
    const caller = await userCaller(httpAuth, req);
    const { history, ...request } = await reads.get(requestId(req), caller);
    const [preview, targetCheck] = await Promise.all([
      previews.preview(request),
      admission.checkNow(request, caller),
    ]);
    res.json({ ...preview, targetCheck } satisfies TracingPreview);
  });
}

function bindRecentTracesEndpoint(
  router: TracingRouter,
  { httpAuth, reads, recentTraces }: RouterOptions,
) {
  // Whoever may read the request may see its target's traces.
  router.get('/requests/:id/traces', async (req, res) => {
    const caller = await userCaller(httpAuth, req);
    const { history, ...request } = await reads.get(requestId(req), caller);
    res.json(await recentTraces.recent(request));
  });
}

function bindClustersEndpoint(
  router: TracingRouter,
  { httpAuth, clusterList }: RouterOptions,
) {
  router.get('/clusters', async (req, res) => {
    await userCaller(httpAuth, req);
    res.json({ items: await clusterList.listClusters() });
  });
}

function bindEntityStatusEndpoint(
  router: TracingRouter,
  { httpAuth, reads, entityStatus }: RouterOptions,
) {
  router.get('/entities/:kind/:namespace/:name/status', async (req, res) => {
    const caller = await userCaller(httpAuth, req);
    const { kind, namespace, name } = req.params;
    const entityRef = stringifyEntityRef({ kind, namespace, name });
    const page = await reads.list({ entityRef, limit: 50 }, caller);
    res.json(await entityStatus.entityStatus(page.items));
  });
}

function bindEntityCapabilitiesEndpoint(
  router: TracingRouter,
  { httpAuth, service }: RouterOptions,
) {
  // What the tab may offer for this entity; filing checks again.
  router.get(
    '/entities/:kind/:namespace/:name/capabilities',
    async (req, res) => {
      const caller = await userCaller(httpAuth, req);
      const { kind, namespace, name } = req.params;
      const entityRef = stringifyEntityRef({ kind, namespace, name });
      const body: EntityTracingCapabilities = {
        request: await service.mayRequestFor(entityRef, caller),
      };
      res.json(body);
    },
  );
}

const workloadsQuerySchema = z
  .object({
    cluster: z.string().min(1, 'is required'),
    method: z.enum(TRACING_METHODS).default('ebpf'),
  })
  .strict();

function bindEntityWorkloadsEndpoint(
  router: TracingRouter,
  { httpAuth, entities, targets, config }: RouterOptions,
) {
  // What the request form offers: the entity's own targets on one cluster.
  router.get('/entities/:kind/:namespace/:name/workloads', async (req, res) => {
    const caller = await userCaller(httpAuth, req);
    const query = parse(workloadsQuerySchema, req.query);
    if (!config.clusterNames.includes(query.cluster)) {
      throw fieldInputError({
        field: 'cluster',
        message: `${query.cluster} is not a configured cluster`,
      });
    }
    const { kind, namespace, name } = req.params;
    const entity = await entities.load(
      stringifyEntityRef({ kind, namespace, name }),
      caller,
    );
    res.json(await targets.list(entity, query.cluster, query.method));
  });
}

function bindExtendEndpoint(
  router: TracingRouter,
  { httpAuth, service, config }: RouterOptions,
) {
  router.post('/requests/:id/extend', async (req, res) => {
    const caller = await userCaller(httpAuth, req);
    const id = requestId(req);
    const input = parse(
      createExtendInputSchema({ maxDurationMs: config.maxDurationMs }),
      req.body,
    );
    res.status(201).json(await service.extend(id, input, caller));
  });
}

function bindListEndpoint(
  router: TracingRouter,
  { httpAuth, reads }: RouterOptions,
) {
  router.get('/requests', async (req, res) => {
    const caller = await userCaller(httpAuth, req);
    const query = parse(listRequestsQuerySchema, req.query);
    res.json(await reads.list(query, caller));
  });
}

function bindGetEndpoint(
  router: TracingRouter,
  { httpAuth, reads }: RouterOptions,
) {
  router.get('/requests/:id', async (req, res) => {
    const caller = await userCaller(httpAuth, req);
    res.json(await reads.get(requestId(req), caller));
  });
}

function bindActionEndpoint(
  router: TracingRouter,
  { httpAuth, service }: RouterOptions,
  action: UserAction,
  schema: typeof decisionInputSchema | typeof rejectInputSchema,
) {
  router.post(`/requests/:id/${action}`, async (req, res) => {
    const caller = await userCaller(httpAuth, req);
    const id = requestId(req);
    const input = parse(schema, req.body);
    res.json(await service.act(action, id, input, caller));
  });
}
