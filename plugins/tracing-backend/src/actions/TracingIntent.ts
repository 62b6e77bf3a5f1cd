/**
 * What a caller outside the form (an agent through the actions registry, a
 * software template) asks for, turned into the request the form would file:
 * the only configured cluster when none is named, the entity's own workload
 * when it has exactly one there, an expiry from a duration in days; then the
 * same input schema as `POST /requests`. Filing itself is the service's.
 */
import {
  createTracingRequestInputSchema,
  DAY_MS,
  fieldErrors,
  SamplerName,
  TargetKind,
  TracingMethod,
  TracingRequestInput,
} from '@tracegate/plugin-tracing-common';
import { TracingConfig } from '../service/config';
import { Caller } from '../service/Caller';
import { CatalogEntities } from '../service/CatalogEntities';
import { fieldInputError } from '../service/fieldInputError';
import { TargetService } from '../targets/TargetService';

/** @internal */
export type TracingIntent = {
  entityRef: string;
  cluster?: string;
  workload?: { kind: TargetKind; name: string };
  namespace?: string;
  method: TracingMethod;
  sampler: SamplerName;
  ratio: number;
  durationDays: number;
  reason: string;
};

/** @internal */
export class TracingIntentResolver {
  constructor(
    private readonly options: {
      config: TracingConfig;
      entities: CatalogEntities;
      targets: TargetService;
      now?: () => Date;
    },
  ) {}

  /** The request input, or a 400 naming the field that cannot be filled. */
  async toRequestInput(
    intent: TracingIntent,
    caller: Caller,
  ): Promise<TracingRequestInput> {
    const { config } = this.options;
    const cluster = intent.cluster ?? this.onlyCluster();
    let { workload, namespace } = intent;
    if (!workload) {
      ({ workload, namespace } = await this.entityOwnTarget(
        intent,
        cluster,
        caller,
      ));
    }
    const now = (this.options.now?.() ?? new Date()).getTime();
    const input = {
      entityRef: intent.entityRef,
      cluster,
      namespace: namespace ?? '',
      workload,
      method: intent.method,
      sampling: { sampler: intent.sampler, ratio: intent.ratio },
      expiresAt: new Date(now + intent.durationDays * DAY_MS).toISOString(),
      reason: intent.reason,
    };
    const result = createTracingRequestInputSchema({
      maxDurationMs: config.maxDurationMs,
    }).safeParse(input);
    if (!result.success) {
      throw fieldInputError(
        fieldErrors(result.error).map(e =>
          // The caller gave a duration, not an expiry.
          e.field === 'expiresAt' ? { ...e, field: 'durationDays' } : e,
        ),
      );
    }
    return result.data;
  }

  private onlyCluster(): string {
    const names = this.options.config.clusterNames;
    if (names.length === 1) return names[0];
    throw fieldInputError({
      field: 'cluster',
      message: `is required: ${
        names.length
      } clusters are configured (${names.join(', ')})`,
    });
  }

  /** The entity's own target on the cluster, when it has exactly one. */
  private async entityOwnTarget(
    intent: TracingIntent,
    cluster: string,
    caller: Caller,
  ): Promise<{ workload: TracingIntent['workload']; namespace: string }> {
    const entity = await this.options.entities.loadComponent(
      intent.entityRef,
      caller,
    );
    const own = await this.options.targets.list(entity, cluster, intent.method);
    if (own.error) {
      throw fieldInputError({
        field: 'workload',
        message: `is required: the entity's own could not be listed on ${cluster} (${own.error})`,
      });
    }
    if (own.items.length !== 1) {
      const names = own.items
        .map(t => `${t.kind} ${t.namespace}/${t.name}`)
        .join(', ');
      throw fieldInputError({
        field: 'workload',
        message:
          own.items.length === 0
            ? `is required: the entity has no workload on ${cluster} (${own.selector})`
            : `is required: the entity has ${own.items.length} on ${cluster} (${names}); name one`,
      });
    }
    const [target] = own.items;
    return {
      workload: { kind: target.kind, name: target.name },
      namespace: target.namespace,
    };
  }
}
