import { Entity } from '@backstage/catalog-model';
import {
  createTracingRequestInputSchema,
  DAY_MS,
  maxDurationDays,
  VALIDATION_MESSAGES,
  FieldError,
  fieldErrors,
  getKubernetesTarget,
  SamplerName,
  TracingMethod,
  TargetKind,
  TracingRequest,
  TracingRequestInput,
} from '@tracegate/plugin-tracing-common';

/** What the form holds; strings where the user types. */
export type FormState = {
  entityRef: string;
  cluster: string;
  namespace: string;
  workloadKind: TargetKind;
  workloadName: string;
  method: TracingMethod;
  sampler: SamplerName;
  ratio: number;
  openPorts: string;
  durationDays: string;
  reason: string;
  /** The live request this one replaces, if the user chose to. */
  supersedes?: string;
};

/**
 * The form for a newly chosen entity: the namespace and workload its
 * Kubernetes annotations name, and where they name none, what the form held.
 * The one rule, for the entity of the URL and for one picked in the form.
 */
export function prefillTarget(form: FormState, entity: Entity): FormState {
  const target = getKubernetesTarget(entity);
  return {
    ...form,
    namespace: target.namespace ?? form.namespace,
    workloadName: target.workloadName ?? form.workloadName,
  };
}

export function emptyForm(entityRef = ''): FormState {
  return {
    entityRef,
    cluster: '',
    namespace: '',
    workloadKind: 'Deployment',
    workloadName: '',
    method: 'ebpf',
    sampler: 'parentbased_traceidratio',
    ratio: 0.1,
    openPorts: '',
    durationDays: '7',
    reason: '',
  };
}

/** What names a target in the form. */
export type FormTarget = Pick<
  FormState,
  'cluster' | 'namespace' | 'workloadKind' | 'workloadName'
>;

/** A stored request's target, as the form holds one. */
export function targetOf(request: TracingRequest): FormTarget {
  return {
    cluster: request.cluster,
    namespace: request.namespace,
    workloadKind: request.workload.kind,
    workloadName: request.workload.name,
  };
}

export function sameTarget(a: FormTarget, b: FormTarget): boolean {
  return (
    a.cluster === b.cluster &&
    a.namespace === b.namespace &&
    a.workloadKind === b.workloadKind &&
    a.workloadName === b.workloadName
  );
}

/** The request body the form stands for. */
export function toInput(
  form: FormState,
  now = Date.now(),
): TracingRequestInput {
  const days = Number(form.durationDays);
  const expiresAt = Number.isFinite(days)
    ? new Date(now + days * DAY_MS).toISOString()
    : '';
  return {
    entityRef: form.entityRef,
    cluster: form.cluster,
    namespace: form.namespace.trim(),
    workload: { kind: form.workloadKind, name: form.workloadName.trim() },
    ...(form.openPorts.trim() ? { openPorts: form.openPorts.trim() } : {}),
    method: form.method,
    sampling: { sampler: form.sampler, ratio: form.ratio },
    expiresAt,
    reason: form.reason,
    ...(form.supersedes ? { supersedes: form.supersedes } : {}),
  };
}

/**
 * The same checks as the backend (one zod schema), keyed by field path; the
 * duration is checked as days, which is what the form asks for.
 */
export function validate(
  form: FormState,
  maxDurationMs: number,
): Record<string, string> {
  const errors: Record<string, string> = {};
  const days = Number(form.durationDays);
  const maxDays = maxDurationDays(maxDurationMs);
  if (!form.durationDays.trim() || !Number.isFinite(days) || days <= 0) {
    errors.expiresAt = 'must be a number of days greater than 0';
  } else if (days > maxDays) {
    errors.expiresAt = VALIDATION_MESSAGES.expiresAtTooFar(maxDays);
  }
  // With a bad duration, check the other fields with a valid one.
  const input = toInput(
    errors.expiresAt ? { ...form, durationDays: '1' } : form,
  );
  const result = createTracingRequestInputSchema({ maxDurationMs }).safeParse(
    input,
  );
  if (!result.success) {
    for (const error of fieldErrors(result.error)) {
      errors[error.field] ??= error.message;
    }
  }
  return errors;
}

/** Field errors of a server answer, keyed like {@link validate}'s. */
export function toErrorMap(errors: FieldError[]): Record<string, string> {
  return Object.fromEntries(errors.map(e => [e.field, e.message]));
}
