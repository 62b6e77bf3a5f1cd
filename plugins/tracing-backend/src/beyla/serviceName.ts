/**
 * The service name and namespace Beyla gives a Kubernetes workload's spans,
 * resolved from a pod (or a workload's pod template) by Beyla's own
 * precedence. Pure.
 *
 * What Beyla does (Beyla 3.33.0, vendored OBI v0.12.1; checked by the oracle,
 * test/beyla-oracle, at 3.33.0 and 2.5.1):
 * - The service's own name (`svc.UID.Name`): a discovery entry's `name`
 *   (only the legacy dialect renders one); else the process environment's
 *   `OTEL_SERVICE_NAME` or `service.name` in `OTEL_RESOURCE_ATTRIBUTES`
 *   (`exec.FileInfo.ApplyEnvVariables`); else, named automatically, the
 *   Kubernetes store's choice (`kube.Store.serviceNameNamespaceOwnerID`): the
 *   container's env, the `resource.opentelemetry.io/service.name`
 *   annotation, the `app.kubernetes.io/instance` then `app.kubernetes.io/name`
 *   label, the top owner.
 * - The exported resource then adds the pod's resource metadata
 *   (`kube.Store.cacheResourceMetadata`: labels, overridden by
 *   `resource.opentelemetry.io/*` annotations, overridden by every
 *   container's `OTEL_RESOURCE_ATTRIBUTES` and `OTEL_SERVICE_NAME`), and a
 *   later `service.name` wins (`otelcfg.GetAppResourceAttrs`, then the
 *   exporter's `AttrsToMap`). So a sidecar without `OTEL_SERVICE_NAME` still
 *   exports the name its neighbour's env sets, and an empty annotation
 *   exports an empty name.
 * Older versions differ where {@link BeylaNamingRules} says.
 */
import { BeylaServiceName } from '@tracegate/plugin-tracing-common';
import { atLeast, BeylaVersion } from '../clusters/beylaVersion';

const SERVICE_NAME_ANNOTATION = 'resource.opentelemetry.io/service.name';
const SERVICE_NAMESPACE_ANNOTATION =
  'resource.opentelemetry.io/service.namespace';
const RESOURCE_ANNOTATION_PREFIX = 'resource.opentelemetry.io/';
const INSTANCE_LABEL = 'app.kubernetes.io/instance';
const NAME_LABEL = 'app.kubernetes.io/name';
const PART_OF_LABEL = 'app.kubernetes.io/part-of';
const OTEL_SERVICE_NAME = 'OTEL_SERVICE_NAME';
const OTEL_RESOURCE_ATTRIBUTES = 'OTEL_RESOURCE_ATTRIBUTES';

/**
 * Where Beyla versions differ in naming, from Beyla's source history (the
 * tags where the code changed); the oracle's fixtures check 2.5.1 and 3.33.0.
 */
export type BeylaNamingRules = {
  /** Labels for `service.name`, in order: `instance` first from 3.15.0. */
  serviceNameLabels: string[];
  /**
   * The process's own `OTEL_SERVICE_NAME` names it even with Kubernetes
   * metadata on (from 2.8.0; before, only `OTEL_RESOURCE_ATTRIBUTES`).
   */
  processEnvServiceName: boolean;
  /** Env values starting with `$` (unexpanded references) are skipped (from 2.7.7). */
  skipsUnexpandedEnv: boolean;
  /**
   * Before 2.6.0 the store takes a container's env from any pod of the same
   * top owner (`containersByOwner`, map order): during a rollout that changes
   * `OTEL_SERVICE_NAME`, either pod's name may apply to both. The oracle
   * showed it at 2.5.1.
   */
  envFromAnyPodOfOwner: boolean;
};

/** The naming rules of a Beyla version. */
export function beylaNamingRules(version: BeylaVersion): BeylaNamingRules {
  return {
    serviceNameLabels: atLeast(version, 3, 15, 0)
      ? [INSTANCE_LABEL, NAME_LABEL]
      : [NAME_LABEL],
    processEnvServiceName: atLeast(version, 2, 8, 0),
    skipsUnexpandedEnv: atLeast(version, 2, 7, 7),
    envFromAnyPodOfOwner: !atLeast(version, 2, 6, 0),
  };
}

/** One env entry of a container spec. */
export type EnvVar = {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath?: string } };
};

/** A pod, or a workload's pod template, as the resolver reads it. */
export type PodShape = {
  namespace: string;
  /** The pod's name; absent for a template. */
  name?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Its owners as Beyla lists them, the top owner last (see {@link beylaOwners}). */
  owners: Array<{ kind: string; name: string }>;
  containers: Array<{ name: string; env?: EnvVar[] }>;
};

/**
 * A pod's owners as Beyla's informer lists them (`ownersFrom`): each owner
 * reference, with the Deployment guessed from a ReplicaSet's name (and the
 * CronJob from a Job's) by cutting the last `-suffix`; the pod itself when
 * it has none.
 */
export function beylaOwners(pod: {
  metadata: {
    name?: string;
    ownerReferences?: Array<{
      apiVersion?: string;
      kind: string;
      name: string;
    }>;
  };
}): Array<{ kind: string; name: string }> {
  const refs = pod.metadata.ownerReferences ?? [];
  if (!refs.length) return [{ kind: 'Pod', name: pod.metadata.name ?? '' }];
  const owners: Array<{ kind: string; name: string }> = [];
  for (const ref of refs) {
    owners.push({ kind: ref.kind, name: ref.name });
    const parent =
      (ref.apiVersion === 'apps/v1' &&
        ref.kind === 'ReplicaSet' &&
        'Deployment') ||
      (ref.apiVersion === 'batch/v1' && ref.kind === 'Job' && 'CronJob');
    const cut = ref.name.lastIndexOf('-');
    if (parent && cut > 0) {
      owners.push({ kind: parent, name: ref.name.slice(0, cut) });
      return owners;
    }
  }
  return owners;
}

/** A live pod (API JSON) as a {@link PodShape}. */
export function podShapeOfPod(pod: {
  metadata: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: Array<{
      apiVersion?: string;
      kind: string;
      name: string;
    }>;
  };
  spec?: { containers?: Array<{ name: string; env?: EnvVar[] }> };
}): PodShape {
  return {
    namespace: pod.metadata.namespace ?? '',
    name: pod.metadata.name,
    labels: pod.metadata.labels,
    annotations: pod.metadata.annotations,
    owners: beylaOwners(pod),
    containers: pod.spec?.containers ?? [],
  };
}

/** A workload's pod template as a {@link PodShape} (its pods before they run). */
export function podShapeOfWorkload(workload: {
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: unknown;
}): PodShape {
  const template = (
    workload.spec as
      | {
          template?: {
            metadata?: {
              labels?: Record<string, string>;
              annotations?: Record<string, string>;
            };
            spec?: { containers?: Array<{ name: string; env?: EnvVar[] }> };
          };
        }
      | undefined
  )?.template;
  return {
    namespace: workload.metadata.namespace ?? '',
    labels: template?.metadata?.labels,
    annotations: template?.metadata?.annotations,
    owners: [{ kind: workload.kind, name: workload.metadata.name }],
    containers: template?.spec?.containers ?? [],
  };
}

/** `k=v,k2=v2` as OpenTelemetry's resource attribute variable parses it. */
function parseResourceAttributes(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

/** A value as the pod spec holds it, or undefined when it is only known at run time. */
type SpecValue = { value: string } | { unknown: string };

/**
 * The env entries Beyla's informer keeps (`envToMap`: only the two OTEL
 * variables, non-empty values, a field reference resolved from the pod).
 */
function informerEnv(
  shape: PodShape,
  env: EnvVar[] = [],
): Record<string, SpecValue> {
  const out: Record<string, SpecValue> = {};
  for (const e of env) {
    if (e.name !== OTEL_SERVICE_NAME && e.name !== OTEL_RESOURCE_ATTRIBUTES)
      continue;
    if (e.value) {
      out[e.name] = { value: e.value };
    } else if (e.valueFrom?.fieldRef?.fieldPath) {
      const resolved = fieldRef(shape, e.valueFrom.fieldRef.fieldPath);
      if (resolved && 'value' in resolved && !resolved.value) continue;
      if (resolved) out[e.name] = resolved;
    }
  }
  return out;
}

function fieldRef(shape: PodShape, path: string): SpecValue | undefined {
  if (path === 'metadata.namespace') return { value: shape.namespace };
  if (path === 'metadata.name') {
    return shape.name !== undefined
      ? { value: shape.name }
      : { unknown: 'the pod name, known when the pod runs' };
  }
  const label = /^metadata\.labels\['(.+)'\]$/.exec(path);
  if (label) return { value: shape.labels?.[label[1]] ?? '' };
  const annotation = /^metadata\.annotations\['(.+)'\]$/.exec(path);
  if (annotation) return { value: shape.annotations?.[annotation[1]] ?? '' };
  return { unknown: `the field ${path}, known when the pod runs` };
}

/**
 * A container's environment at run time, as far as the spec tells it:
 * kubelet expands `$(VAR)` from the container's earlier variables.
 */
function runtimeEnv(
  shape: PodShape,
  env: EnvVar[] = [],
): Record<string, SpecValue> {
  const out: Record<string, SpecValue> = {};
  for (const e of env) {
    if (e.valueFrom) {
      out[e.name] = e.valueFrom.fieldRef?.fieldPath
        ? fieldRef(shape, e.valueFrom.fieldRef.fieldPath)!
        : { unknown: `${e.name} comes from a ConfigMap or Secret` };
      continue;
    }
    let unknown: string | undefined;
    const value = (e.value ?? '').replace(
      /\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g,
      (match, name: string | undefined) => {
        if (!name) return '$';
        const earlier = out[name];
        if (!earlier) return match; // kubelet leaves unknown references as they are
        if ('unknown' in earlier) {
          unknown = earlier.unknown;
          return match;
        }
        return earlier.value;
      },
    );
    out[e.name] = unknown ? { unknown } : { value };
  }
  return out;
}

const usable = (value: string, rules: BeylaNamingRules) =>
  value !== '' && !(rules.skipsUnexpandedEnv && value.startsWith('$'));

/**
 * The pod-wide resource metadata (`cacheResourceMetadata`): labels, then
 * `resource.opentelemetry.io/*` annotations, then each container's env.
 */
function resourceMeta(
  shape: PodShape,
  rules: BeylaNamingRules,
): Record<string, { value: string; source: string } | { unknown: string }> {
  const meta: Record<
    string,
    { value: string; source: string } | { unknown: string }
  > = {};
  const labelLists: Record<string, string[]> = {
    'service.name': rules.serviceNameLabels,
    'service.namespace': [PART_OF_LABEL],
  };
  for (const [attribute, labels] of Object.entries(labelLists)) {
    const label = labels.find(l => shape.labels?.[l]);
    if (label) {
      meta[attribute] = {
        value: shape.labels![label],
        source: `label ${label}`,
      };
    }
  }
  for (const [key, value] of Object.entries(shape.annotations ?? {})) {
    if (!key.startsWith(RESOURCE_ANNOTATION_PREFIX)) continue;
    meta[key.slice(RESOURCE_ANNOTATION_PREFIX.length)] = {
      value,
      source: `annotation ${key}`,
    };
  }
  for (const container of shape.containers) {
    const env = informerEnv(shape, container.env);
    const attrs = env[OTEL_RESOURCE_ATTRIBUTES];
    if (attrs && 'value' in attrs) {
      for (const [k, v] of Object.entries(
        parseResourceAttributes(attrs.value),
      )) {
        if (usable(v, rules)) {
          meta[k] = {
            value: v,
            source: `${OTEL_RESOURCE_ATTRIBUTES} of container ${container.name}`,
          };
        }
      }
    }
    const name = env[OTEL_SERVICE_NAME];
    if (name && 'unknown' in name) meta['service.name'] = name;
    else if (name && usable(name.value, rules)) {
      meta['service.name'] = {
        value: name.value,
        source: `${OTEL_SERVICE_NAME} of container ${container.name}`,
      };
    }
  }
  return meta;
}

type Resolved = { value: string; source: string } | { unknown: string };

/** The service's own name (`svc.UID.Name`) for a process in `container`. */
function ownName(
  shape: PodShape,
  container: PodShape['containers'][number],
  rules: BeylaNamingRules,
  entryName: string | undefined,
): Resolved {
  if (entryName)
    return { value: entryName, source: "the discovery entry's name" };
  const process = runtimeEnv(shape, container.env);
  const fromProcess = (key: string): Resolved | undefined => {
    const v = process[key];
    if (!v) return undefined;
    if ('unknown' in v) return v;
    return usable(v.value, rules)
      ? { value: v.value, source: `${key} of container ${container.name}` }
      : undefined;
  };
  const attrsVar = process[OTEL_RESOURCE_ATTRIBUTES];
  const attrsName = (): Resolved | undefined => {
    if (!attrsVar) return undefined;
    if ('unknown' in attrsVar) return attrsVar;
    const v = parseResourceAttributes(attrsVar.value)['service.name'];
    if (v === undefined) return undefined;
    return {
      value: v,
      source: `${OTEL_RESOURCE_ATTRIBUTES} of container ${container.name}`,
    };
  };
  if (rules.processEnvServiceName) {
    const named = fromProcess(OTEL_SERVICE_NAME) ?? attrsName();
    if (named && ('unknown' in named || usable(named.value, rules)))
      return named;
  } else if (!process[OTEL_SERVICE_NAME]) {
    const named = attrsName();
    if (named && ('unknown' in named || named.value)) return named;
  }
  // Named automatically: the Kubernetes store's choice for the container.
  const env = informerEnv(shape, container.env);
  const envName =
    env[OTEL_SERVICE_NAME] ??
    (env[OTEL_RESOURCE_ATTRIBUTES] && 'value' in env[OTEL_RESOURCE_ATTRIBUTES]
      ? (() => {
          const v = parseResourceAttributes(
            (env[OTEL_RESOURCE_ATTRIBUTES] as { value: string }).value,
          )['service.name'];
          return v === undefined ? undefined : { value: v };
        })()
      : undefined);
  if (envName) {
    if ('unknown' in envName) return envName;
    if (!envName.value.startsWith('$(')) {
      return {
        value: envName.value,
        source: `the env of container ${container.name}`,
      };
    }
  }
  const annotation = shape.annotations?.[SERVICE_NAME_ANNOTATION];
  if (annotation) {
    return {
      value: annotation,
      source: `annotation ${SERVICE_NAME_ANNOTATION}`,
    };
  }
  if (annotation === undefined) {
    const label = rules.serviceNameLabels.find(
      l => shape.labels?.[l] !== undefined,
    );
    const value = label ? shape.labels![label] : '';
    if (value) return { value, source: `label ${label}` };
  }
  const top = shape.owners[shape.owners.length - 1];
  if (top && top.kind !== 'Pod') {
    return { value: top.name, source: `the ${top.kind}'s name` };
  }
  return shape.name !== undefined
    ? { value: shape.name, source: "the pod's name" }
    : { unknown: "the pod's name, known when the pod runs" };
}

/** The service namespace (`svc.UID.Namespace`) for a process in `container`. */
function ownNamespace(
  shape: PodShape,
  container: PodShape['containers'][number],
  rules: BeylaNamingRules,
): Resolved {
  if (rules.processEnvServiceName) {
    const attrs = runtimeEnv(shape, container.env)[OTEL_RESOURCE_ATTRIBUTES];
    if (attrs && 'unknown' in attrs) return attrs;
    const v =
      attrs && parseResourceAttributes(attrs.value)['service.namespace'];
    if (v && usable(v, rules)) {
      return {
        value: v,
        source: `${OTEL_RESOURCE_ATTRIBUTES} of container ${container.name}`,
      };
    }
  }
  const env = informerEnv(shape, container.env)[OTEL_RESOURCE_ATTRIBUTES];
  const fromEnv =
    env && 'value' in env
      ? parseResourceAttributes(env.value)['service.namespace']
      : undefined;
  if (fromEnv !== undefined && !fromEnv.startsWith('$(')) {
    return { value: fromEnv, source: `the env of container ${container.name}` };
  }
  const annotation = shape.annotations?.[SERVICE_NAMESPACE_ANNOTATION];
  if (annotation) {
    return {
      value: annotation,
      source: `annotation ${SERVICE_NAMESPACE_ANNOTATION}`,
    };
  }
  const partOf = shape.labels?.[PART_OF_LABEL];
  if (annotation === undefined && partOf) {
    return { value: partOf, source: `label ${PART_OF_LABEL}` };
  }
  return { value: shape.namespace, source: 'the Kubernetes namespace' };
}

/**
 * What the spans of a process in `container` carry as `service.name` and
 * `service.namespace`, and why. `entryName` is the discovery entry's `name`,
 * when it has one (the legacy dialect).
 */
export function beylaServiceName(
  shape: PodShape,
  containerName: string,
  rules: BeylaNamingRules,
  entryName?: string,
): BeylaServiceName {
  const container = shape.containers.find(c => c.name === containerName) ?? {
    name: containerName,
  };
  const meta = resourceMeta(shape, rules);
  const exported = (own: Resolved, attribute: string): Resolved =>
    meta[attribute] ?? own;
  const name = exported(
    ownName(shape, container, rules, entryName),
    'service.name',
  );
  const namespace = exported(
    ownNamespace(shape, container, rules),
    'service.namespace',
  );
  const unknown = [name, namespace]
    .filter((r): r is { unknown: string } => 'unknown' in r)
    .map(r => r.unknown);
  return {
    container: container.name,
    name: 'value' in name ? name.value : '',
    nameSource: 'value' in name ? name.source : 'unknown until the pod runs',
    namespace: 'value' in namespace ? namespace.value : '',
    namespaceSource:
      'value' in namespace ? namespace.source : 'unknown until the pod runs',
    ...(unknown.length ? { unresolved: unknown.join('; ') } : {}),
  };
}

/**
 * Resource attributes a `resource.opentelemetry.io/*` annotation or an
 * `OTEL_RESOURCE_ATTRIBUTES` entry sets over Beyla's own Kubernetes ones
 * (`k8s.namespace.name`, `k8s.deployment.name`, ...): spans then carry
 * that value instead, and a search by Kubernetes identity misses them.
 */
export function overriddenKubernetesAttributes(
  shape: PodShape,
  rules: BeylaNamingRules,
): Array<{ attribute: string; value: string; source: string }> {
  return Object.entries(resourceMeta(shape, rules))
    .filter(([key, v]) => key.startsWith('k8s.') && 'value' in v)
    .map(([attribute, v]) => ({
      attribute,
      ...(v as { value: string; source: string }),
    }));
}
