/**
 * The zod schemas of what the API takes (request input, extend, decisions,
 * list queries) with the messages both the backend's 400s and the form
 * show, and the field errors they produce.
 */
import { z } from 'zod';
import {
  METHOD_TARGET_KINDS,
  SAMPLER_NAMES,
  TARGET_KINDS,
  TRACING_METHODS,
  TRACING_REQUEST_STATUSES,
} from './domain';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
// Beyla matches k8s_pod_labels values as globs, so `*` and `?` are allowed.
const LABEL_VALUE_GLOB = /^([A-Za-z0-9*?]([-A-Za-z0-9_.*?]*[A-Za-z0-9*?])?)?$/;
// Control characters other than tab and line breaks: PostgreSQL refuses NUL
// in text, and none of them belongs in a name, a reason or a comment.
/* eslint-disable no-control-regex */
const NO_CONTROL_CHARACTERS =
  /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/;
/* eslint-enable no-control-regex */
const OPEN_PORTS = /^\d{1,5}(-\d{1,5})?(,\d{1,5}(-\d{1,5})?)*$/;

/**
 * Messages shared by the backend and the request form.
 *
 * @public
 */
export const VALIDATION_MESSAGES = {
  dnsLabel:
    "must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters",
  dnsSubdomain:
    "must be a DNS-1123 subdomain: lowercase letters, digits, '-' and '.', at most 253 characters",
  labelKey: 'must be a Kubernetes label key, e.g. app or example.com/tier',
  labelValue:
    "must be a label value of at most 63 letters, digits, '-', '_', '.', with * and ? as wildcards",
  openPorts:
    'must be ports or ranges separated by commas, e.g. 8080 or 80,443 or 2000-15000, each between 1 and 65535',
  ratio: 'must be a number between 0 and 1',
  expiresAtPast: 'must be in the future',
  expiresAtTooFar: (maxDays: number) =>
    `must be at most ${maxDays} days from now (tracing.maxDuration)`,
  reason: 'must be between 1 and 2000 characters',
  targetKind: (method: string, kinds: readonly string[]) =>
    `must be ${kinds.join(', ')} for the ${method} method`,
  rejectComment: 'is required when rejecting',
} as const;

/** @public */
export const DAY_MS = 86_400_000;

/**
 * `tracing.maxDuration` in days, to one decimal, as messages and the form say it.
 *
 * @public
 */
export function maxDurationDays(maxDurationMs: number): number {
  return Math.round((maxDurationMs / DAY_MS) * 10) / 10;
}

/**
 * Text from a person: anything printable, line breaks and tabs included.
 *
 * @public
 */
export const plainTextSchema = z
  .string()
  .regex(NO_CONTROL_CHARACTERS, 'must not contain control characters');

/** @public */
export const dnsLabelSchema = z
  .string()
  .max(63, VALIDATION_MESSAGES.dnsLabel)
  .regex(DNS1123_LABEL, VALIDATION_MESSAGES.dnsLabel);

/** @public */
export const dnsSubdomainSchema = z
  .string()
  .max(253, VALIDATION_MESSAGES.dnsSubdomain)
  .regex(DNS1123_SUBDOMAIN, VALIDATION_MESSAGES.dnsSubdomain);

function isLabelKey(key: string): boolean {
  const [prefix, name, ...rest] = key.includes('/')
    ? key.split('/')
    : [undefined, key];
  if (rest.length > 0 || !name || name.length > 63 || !LABEL_NAME.test(name)) {
    return false;
  }
  return (
    prefix === undefined ||
    (prefix.length <= 253 && DNS1123_SUBDOMAIN.test(prefix))
  );
}

/**
 * Whether every port in Beyla's `open_ports` syntax is within 1–65535 and
 * every range runs upwards.
 *
 * @public
 */
export function isValidOpenPorts(value: string): boolean {
  if (!OPEN_PORTS.test(value)) return false;
  return value.split(',').every(item => {
    const [start, end = start] = item.split('-').map(Number);
    return start >= 1 && end <= 65535 && start <= end;
  });
}

/** @public */
export const openPortsSchema = z
  .string()
  .refine(isValidOpenPorts, VALIDATION_MESSAGES.openPorts);

/**
 * Pod labels Beyla matches on. Every problem is reported on `podLabels`
 * itself: a key is user text, and a field path made of it could say anything.
 *
 * @public
 */
export const podLabelsSchema = z
  .record(z.string(), z.unknown())
  .superRefine((labels, ctx) => {
    const entries = Object.entries(labels);
    if (entries.length > 20) {
      ctx.addIssue({ code: 'custom', message: 'at most 20 labels' });
    }
    for (const [key, value] of entries) {
      const shown = /^[A-Za-z0-9._/-]{1,80}$/.test(key) ? `"${key}"` : 'a key';
      if (!isLabelKey(key)) {
        ctx.addIssue({
          code: 'custom',
          message: `${shown} ${VALIDATION_MESSAGES.labelKey}`,
        });
      } else if (
        typeof value !== 'string' ||
        value.length > 63 ||
        !LABEL_VALUE_GLOB.test(value)
      ) {
        ctx.addIssue({
          code: 'custom',
          message: `the value of ${shown} ${VALIDATION_MESSAGES.labelValue}`,
        });
      }
    }
  })
  .transform(labels => labels as Record<string, string>);

/** @public */
export const reasonSchema = plainTextSchema
  .trim()
  .min(1, VALIDATION_MESSAGES.reason)
  .max(2000, VALIDATION_MESSAGES.reason);

/**
 * Options of {@link createTracingRequestInputSchema}.
 *
 * @public
 */
export type TracingRequestInputSchemaOptions = {
  /** `tracing.maxDuration` in milliseconds. */
  maxDurationMs: number;
  /** The clock, for tests. */
  now?: () => number;
};

/**
 * The body of `POST /requests`. Which clusters exist and whether the entity is
 * in the catalog are checked by the backend, which knows.
 *
 * @public
 */
export function createTracingRequestInputSchema(
  options: TracingRequestInputSchemaOptions,
) {
  return z
    .object({
      entityRef: plainTextSchema.min(1, 'is required'),
      cluster: plainTextSchema.min(1, 'is required'),
      namespace: dnsLabelSchema,
      workload: z
        .object({ kind: z.enum(TARGET_KINDS), name: dnsSubdomainSchema })
        .strict(),
      podLabels: podLabelsSchema.optional(),
      openPorts: openPortsSchema.optional(),
      method: z.enum(TRACING_METHODS),
      sampling: z
        .object({
          sampler: z.enum(SAMPLER_NAMES),
          ratio: z
            .number(VALIDATION_MESSAGES.ratio)
            .min(0, VALIDATION_MESSAGES.ratio)
            .max(1, VALIDATION_MESSAGES.ratio)
            // At most 6 decimals: 0.1 + 0.2 is 0.3, not a quantity of
            // 0.300000001 on the Prometheus CR.
            .transform(ratio => Math.round(ratio * 1e6) / 1e6),
        })
        .strict(),
      expiresAt: createExpiresAtSchema(options),
      reason: reasonSchema,
      supersedes: z.string().uuid('must be the id of a request').optional(),
    })
    .strict()
    .superRefine((input, ctx) => {
      const kinds = METHOD_TARGET_KINDS[input.method];
      if (!kinds.includes(input.workload.kind)) {
        ctx.addIssue({
          code: 'custom',
          path: ['workload', 'kind'],
          message: VALIDATION_MESSAGES.targetKind(input.method, kinds),
        });
      }
    });
}

/**
 * `expiresAt` of a new request or an extension: an ISO 8601 instant in the
 * future and within `tracing.maxDuration`, returned in UTC.
 *
 * @public
 */
export function createExpiresAtSchema(
  options: TracingRequestInputSchemaOptions,
) {
  const now = options.now ?? Date.now;
  return (
    z
      .string()
      .superRefine((value, ctx) => {
        const issue = checkExpiry(value, now(), options.maxDurationMs);
        if (issue) ctx.addIssue({ code: 'custom', message: issue });
      })
      // An instant, in UTC: stored values then compare as instants on every
      // database (an offset kept as typed compares as text).
      .transform(value => new Date(value).toISOString())
  );
}

/**
 * The body of `POST /requests/:id/extend`: the new expiry, and optionally why
 * (the reason of the request extended otherwise).
 *
 * @public
 */
export function createExtendInputSchema(
  options: TracingRequestInputSchemaOptions,
) {
  return z
    .object({
      expiresAt: createExpiresAtSchema(options),
      reason: reasonSchema.optional(),
    })
    .strict();
}

/** @public */
export type ExtendInput = z.infer<ReturnType<typeof createExtendInputSchema>>;

const ISO_DATE_TIME =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** One message for the first thing wrong with an expiry, or undefined. */
function checkExpiry(value: string, now: number, maxDurationMs: number) {
  const at = Date.parse(value);
  if (!ISO_DATE_TIME.test(value) || Number.isNaN(at)) {
    return 'must be an ISO 8601 date-time with a time zone';
  }
  if (at <= now) return VALIDATION_MESSAGES.expiresAtPast;
  if (at > now + maxDurationMs) {
    return VALIDATION_MESSAGES.expiresAtTooFar(maxDurationDays(maxDurationMs));
  }
  return undefined;
}

/** @public */
export type TracingRequestInput = z.infer<
  ReturnType<typeof createTracingRequestInputSchema>
>;

const commentSchema = plainTextSchema
  .trim()
  .max(2000, 'must be at most 2000 characters');

/**
 * Body of approve, cancel and revoke: an optional comment.
 *
 * @public
 */
export const decisionInputSchema = z
  .object({ comment: commentSchema.optional() })
  .strict();

/**
 * Body of reject: the comment is required.
 *
 * @public
 */
export const rejectInputSchema = z
  .object({
    comment: commentSchema.min(1, VALIDATION_MESSAGES.rejectComment),
  })
  .strict();

/** @public */
export type DecisionInput = z.infer<typeof decisionInputSchema>;

const statusSchema = z.enum(TRACING_REQUEST_STATUSES);

/**
 * Query of `GET /requests`. `status` may repeat (`?status=a&status=b`).
 *
 * @public
 */
export const listRequestsQuerySchema = z
  .object({
    entityRef: plainTextSchema.min(1).optional(),
    cluster: plainTextSchema.min(1).optional(),
    requestedBy: plainTextSchema.min(1).optional(),
    /**
     * Words to find, case-insensitive, in the service, workload, namespace,
     * cluster, requester or reason.
     */
    q: plainTextSchema
      .min(1)
      .max(200, 'must be at most 200 characters')
      .optional(),
    status: z
      .union([statusSchema, z.array(statusSchema)])
      .transform(value => (Array.isArray(value) ? value : [value]))
      .optional(),
    // A query string carries text; `limit[]=1` or `limit=1e2` is refused.
    limit: z
      .union(
        [
          z.number(),
          z
            .string()
            .regex(/^\d{1,4}$/)
            .transform(Number),
        ],
        {
          error: 'must be a whole number between 1 and 100',
        },
      )
      .pipe(
        z
          .number()
          .int()
          .min(1, 'must be a whole number between 1 and 100')
          .max(100, 'must be a whole number between 1 and 100'),
      )
      .default(20),
    cursor: z.string().min(1).optional(),
  })
  .strict();

/** @public */
export type ListRequestsQuery = z.infer<typeof listRequestsQuerySchema>;

/**
 * One failing field of a request, as a 400's error body carries it
 * (`error.fields`) and the form shows it next to the field.
 *
 * @public
 */
export type FieldError = { field: string; message: string };

/**
 * The failing fields of a zod error, in path notation (`sampling.ratio`).
 *
 * @public
 */
export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map(issue => {
    const path = issue.path.map(String).join('.');
    const unknownKeys =
      issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : undefined;
    return {
      field: unknownKeys
        ? [path, unknownKeys].filter(Boolean).join('.')
        : path || '(body)',
      message: unknownKeys ? 'is not a known field' : issue.message,
    };
  });
}

/**
 * The `InputError` message for a failed validation.
 *
 * @public
 */
export function formatFieldErrors(errors: FieldError[]): string {
  return errors.map(e => `${e.field}: ${e.message}`).join('; ');
}

/**
 * The field errors of a 400's error body (`error.fields`, which the backend
 * sends beside the message that lists them), each message whole; none when
 * the body has no such list.
 *
 * @public
 */
export function fieldErrorsOfBody(error: unknown): FieldError[] {
  const fields = (error as { fields?: unknown } | null | undefined)?.fields;
  if (!Array.isArray(fields)) return [];
  return fields.flatMap(entry =>
    typeof entry?.field === 'string' && typeof entry?.message === 'string'
      ? [{ field: entry.field, message: entry.message }]
      : [],
  );
}
