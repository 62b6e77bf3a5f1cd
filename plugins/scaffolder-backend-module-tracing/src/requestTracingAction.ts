import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { ActionsService } from '@backstage/backend-plugin-api/alpha';
import { ResponseError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { JsonObject } from '@backstage/types';
import {
  SAMPLER_NAMES,
  TARGET_KINDS,
  TRACING_METHODS,
} from '@tracegate/plugin-tracing-common';

/** The tracing plugin's action this step runs (its actions registry). @public */
export const REQUEST_TRACING_ACTION_ID = 'tracing:request-tracing';

/**
 * The actions service answers a refusal with a ResponseError whose own message
 * is only the status ("Request failed with 409 Conflict"); the tracing
 * backend's words are in its body, and they are what the user needs to read.
 */
function withTracingMessage(error: unknown): unknown {
  if (!(error instanceof ResponseError)) return error;
  const { name, message } = error.body.error;
  const fields = (error.body.error as { fields?: JsonObject[] }).fields;
  // Field errors the message does not already spell out.
  const unsaid = (fields ?? [])
    .map(f => `${f.field}: ${f.message}`)
    .filter(text => !message.includes(text));
  const named = unsaid.length ? ` (${unsaid.join('; ')})` : '';
  return new Error(`${error.statusCode} ${name}: ${message}${named}`, {
    cause: error,
  });
}

/**
 * The `tracing:request` template action: files a tracing request for one
 * workload of a catalog Component, as the user who runs the template (the
 * task's initiator), through Tracegate's `request-tracing` action, so the
 * same service and permission checks apply as in the API. A dry run answers
 * what approval would apply and files nothing.
 *
 * @public
 */
export function createRequestTracingAction(options: {
  actions: Pick<ActionsService, 'invoke'>;
}) {
  return createTemplateAction({
    id: 'tracing:request',
    description:
      "Requests distributed tracing for one workload of a catalog Component, as the user running the template (who must own the entity). Without a workload, the entity's own is taken when it has exactly one on the cluster; without a cluster, the only configured one. The request waits for a platform admin, or is approved at once by a tracing.autoApprove rule.",
    supportsDryRun: true,
    examples: [
      {
        description:
          'Trace the service the template just registered, a day at 10 %',
        example: [
          'steps:',
          '  - id: tracing',
          '    action: tracing:request',
          '    input:',
          "      entityRef: ${{ steps['register'].output.entityRef }}",
          '      reason: traces for the first day in production',
        ].join('\n'),
      },
    ],
    schema: {
      input: {
        entityRef: z =>
          z
            .string()
            .describe('The catalog Component, e.g. component:default/checkout'),
        cluster: z =>
          z.string().optional().describe('Default: the only configured one'),
        workloadKind: z =>
          z
            .enum([...TARGET_KINDS])
            .optional()
            .describe('With workloadName; default: the entity’s own'),
        workloadName: z => z.string().optional(),
        namespace: z =>
          z.string().optional().describe('The workload’s namespace'),
        method: z => z.enum([...TRACING_METHODS]).default('ebpf'),
        sampler: z =>
          z.enum([...SAMPLER_NAMES]).default('parentbased_traceidratio'),
        ratio: z => z.number().min(0).max(1).default(0.1),
        durationDays: z => z.number().int().min(1).default(1),
        reason: z => z.string().min(1).max(2000),
      },
      output: {
        id: z => z.string().optional().describe('Absent on a dry run'),
        status: z =>
          z
            .string()
            .optional()
            .describe('pending, or active when a rule approved it'),
        target: z => z.string(),
        link: z => z.string().describe("The entity's Tracing tab"),
      },
    },
    async handler(ctx) {
      const { workloadKind, workloadName, ...rest } = ctx.input;
      if (Boolean(workloadKind) !== Boolean(workloadName)) {
        throw new Error(
          'tracing:request: workloadKind and workloadName go together (or leave both out for the entity’s own)',
        );
      }
      const input = {
        ...rest,
        ...(workloadKind &&
          workloadName && {
            workload: { kind: workloadKind, name: workloadName },
          }),
        dryRun: Boolean(ctx.isDryRun),
      } as JsonObject;
      const credentials: BackstageCredentials =
        await ctx.getInitiatorCredentials();
      const { output } = (await options.actions
        .invoke({ id: REQUEST_TRACING_ACTION_ID, input, credentials })
        .catch(error => {
          throw withTracingMessage(error);
        })) as { output: JsonObject };
      if (ctx.isDryRun) {
        ctx.logger.info(
          `Would apply: ${JSON.stringify(
            (output.preview as JsonObject | undefined)?.objects ?? [],
          )}`,
        );
      }
      for (const key of ['id', 'status', 'target', 'link'] as const) {
        if (typeof output[key] === 'string') {
          ctx.output(key, output[key] as string);
        }
      }
    },
  });
}
