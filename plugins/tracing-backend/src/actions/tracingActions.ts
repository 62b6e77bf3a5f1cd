/**
 * Tracegate's actions in Backstage's actions registry (which the MCP actions
 * backend offers to AI assistants, and any tool calls over
 * `/api/tracing/.backstage/actions/v1/...`): request tracing, read an
 * entity's tracing status, list requests. Each acts as the calling user,
 * through the same service and permission checks as the HTTP API.
 */
import {
  BackstageCredentials,
  BackstageUserPrincipal,
  AuthService,
} from '@backstage/backend-plugin-api';
import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { parseEntityRef } from '@backstage/catalog-model';
import { NotAllowedError } from '@backstage/errors';
import {
  describeCommit,
  describeRollout,
  describeTargetCheck,
  SAMPLER_NAMES,
  TARGET_KINDS,
  TRACING_METHODS,
  TRACING_REQUEST_STATUSES,
  TracingRequest,
} from '@tracegate/plugin-tracing-common';
import { Caller } from '../service/Caller';
import { RequestReads } from '../service/RequestReads';
import { TracingRequestService } from '../service/TracingRequestService';
import { PreviewService } from '../status/PreviewService';
import { TracingIntentResolver } from './TracingIntent';

/** The link to an entity's Tracing tab in the app. */
export function entityTabLink(appBaseUrl: string, entityRef: string): string {
  const { kind, namespace, name } = parseEntityRef(entityRef);
  return `${appBaseUrl.replace(/\/$/, '')}/catalog/${encodeURIComponent(
    namespace,
  )}/${encodeURIComponent(
    kind.toLocaleLowerCase('en-US'),
  )}/${encodeURIComponent(name)}/tracing`;
}

/** What an agent needs of a request to answer "is it traced, and if not, why". */
export function summarize(request: TracingRequest) {
  return {
    id: request.id,
    entityRef: request.entityRef,
    status: request.status,
    cluster: request.cluster,
    target: `${request.workload.kind} ${request.namespace}/${request.workload.name}`,
    method: request.method,
    sampling: `${request.sampling.sampler} ${request.sampling.ratio}`,
    expiresAt: request.expiresAt,
    requestedBy: request.requestedBy,
    ...(request.lastApply?.commit && {
      git: describeCommit(request.lastApply.commit),
    }),
    ...(request.lastApply?.rollout && {
      rollout: describeRollout(request.lastApply.rollout),
    }),
    ...(request.lastApply?.error && { error: request.lastApply.error }),
    ...(request.traces?.lastSeenAt && {
      tracesSeenAt: request.traces.lastSeenAt,
    }),
    ...(request.traces?.reasons?.length && {
      noTracesReasons: request.traces.reasons,
    }),
  };
}

function asUser(auth: AuthService, credentials: BackstageCredentials): Caller {
  if (!auth.isPrincipal(credentials, 'user')) {
    throw new NotAllowedError(
      "Tracegate's actions act for a signed-in user; call them with a user's token",
    );
  }
  return {
    credentials: credentials as BackstageCredentials<BackstageUserPrincipal>,
  };
}

/** @internal */
export function registerTracingActions(options: {
  actionsRegistry: ActionsRegistryService;
  auth: AuthService;
  service: TracingRequestService;
  reads: RequestReads;
  previews: PreviewService;
  intents: TracingIntentResolver;
  appBaseUrl: string;
}) {
  const {
    actionsRegistry,
    auth,
    service,
    reads,
    previews,
    intents,
    appBaseUrl,
  } = options;

  const summarySchema = (z: any) =>
    z.object({
      id: z.string(),
      entityRef: z.string(),
      status: z.enum([...TRACING_REQUEST_STATUSES]),
      cluster: z.string(),
      target: z.string().describe('kind namespace/name'),
      method: z.enum([...TRACING_METHODS]),
      sampling: z.string(),
      expiresAt: z.string(),
      requestedBy: z.string(),
      git: z.string().optional(),
      rollout: z.string().optional(),
      error: z.string().optional(),
      tracesSeenAt: z.string().optional(),
      noTracesReasons: z.array(z.string()).optional(),
    });

  actionsRegistry.register({
    name: 'request-tracing',
    title: 'Request tracing',
    description:
      "Files a tracing request for one workload of a catalog Component, as the calling user (who must own the entity, or hold the any-target permission). Without a workload, the entity's own is taken when it has exactly one on the cluster; without a cluster, the only configured one. The request is pending until a platform admin approves it, or active at once when a tracing.autoApprove rule covers it. With dryRun, checks the same and answers what approval would apply, filing nothing.",
    attributes: { readOnly: false, destructive: false, idempotent: false },
    schema: {
      input: z =>
        z.object({
          entityRef: z
            .string()
            .describe('The catalog Component, e.g. component:default/checkout'),
          cluster: z.string().optional(),
          workload: z
            .object({
              kind: z.enum([...TARGET_KINDS] as [string, ...string[]]),
              name: z.string(),
            })
            .optional(),
          namespace: z
            .string()
            .optional()
            .describe("The workload's namespace; required with a workload"),
          method: z.enum([...TRACING_METHODS]).default('ebpf'),
          sampler: z
            .enum([...SAMPLER_NAMES])
            .default('parentbased_traceidratio'),
          ratio: z.number().min(0).max(1).default(0.1),
          durationDays: z.number().int().min(1).default(1),
          reason: z.string().min(1).max(2000),
          dryRun: z
            .boolean()
            .default(false)
            .describe('Check and preview only; file nothing'),
        }),
      output: z =>
        z.object({
          id: z.string().optional().describe('Absent on a dry run'),
          status: z.enum([...TRACING_REQUEST_STATUSES]).optional(),
          target: z.string(),
          link: z.string().describe("The entity's Tracing tab"),
          preview: z
            .object({
              objects: z.array(z.string()).describe('kind namespace/name'),
              diff: z.string().optional(),
              targetCheck: z.string().optional(),
              autoApprovalRule: z.string().optional(),
            })
            .optional()
            .describe('On a dry run: what approval would apply'),
        }),
    },
    action: async ({ input, credentials }) => {
      const caller = asUser(auth, credentials);
      const requestInput = await intents.toRequestInput(input as any, caller);
      if (input.dryRun) {
        const candidate = await service.prepare(requestInput, caller);
        const preview = await previews.previewFiling(candidate);
        return {
          output: {
            target: summarize(candidate).target,
            link: entityTabLink(appBaseUrl, candidate.entityRef),
            preview: {
              objects: preview.objects.map(o =>
                [o.kind, [o.namespace, o.name].filter(Boolean).join('/')].join(
                  ' ',
                ),
              ),
              ...(preview.diff && { diff: preview.diff }),
              ...(preview.targetCheck && {
                targetCheck: describeTargetCheck(preview.targetCheck),
              }),
              ...(preview.autoApproval && {
                autoApprovalRule: preview.autoApproval.rule,
              }),
            },
          },
        };
      }
      const request = await service.create(requestInput, caller);
      return {
        output: {
          id: request.id,
          status: request.status,
          target: summarize(request).target,
          link: entityTabLink(appBaseUrl, request.entityRef),
        },
      };
    },
  });

  actionsRegistry.register({
    name: 'get-tracing-status',
    title: 'Get the tracing status of a catalog entity',
    description:
      "The entity's tracing requests that the calling user may read, newest first: state, target, sampling, expiry, Beyla's rollout, when traces were last seen, and when none arrive, the reasons Tracegate found.",
    attributes: { readOnly: true, idempotent: true },
    schema: {
      input: z =>
        z.object({
          entityRef: z
            .string()
            .describe('The catalog Component, e.g. component:default/checkout'),
        }),
      output: z =>
        z.object({
          requests: z.array(summarySchema(z)),
          link: z.string(),
        }),
    },
    action: async ({ input, credentials }) => {
      const caller = asUser(auth, credentials);
      const page = await reads.list(
        { entityRef: input.entityRef, limit: 50 },
        caller,
      );
      return {
        output: {
          requests: page.items.map(summarize),
          link: entityTabLink(appBaseUrl, input.entityRef),
        },
      };
    },
  });

  actionsRegistry.register({
    name: 'list-tracing-requests',
    title: 'List tracing requests',
    description:
      'Tracing requests the calling user may read, newest first, filtered by state, entity or cluster; at most 100 a page, with a cursor for the next.',
    attributes: { readOnly: true, idempotent: true },
    schema: {
      input: z =>
        z.object({
          status: z.array(z.enum([...TRACING_REQUEST_STATUSES])).optional(),
          entityRef: z.string().optional(),
          cluster: z.string().optional(),
          limit: z.number().int().min(1).max(100).default(50),
          cursor: z.string().optional(),
        }),
      output: z =>
        z.object({
          items: z.array(summarySchema(z)),
          nextCursor: z.string().optional(),
        }),
    },
    action: async ({ input, credentials }) => {
      const caller = asUser(auth, credentials);
      const page = await reads.list(input as any, caller);
      return {
        output: {
          items: page.items.map(summarize),
          ...(page.nextCursor && { nextCursor: page.nextCursor }),
        },
      };
    },
  });
}
