/**
 * The files a git delivery writes: one YAML file per rendered object, each
 * with a header that marks it as Tracegate's (only such files are ever
 * removed from the folder) and names the requests it serves, and the commit
 * message that says which requests a change turns on or off. Pure.
 */
import { TracingRequest } from '@tracegate/plugin-tracing-common';
import { stringify } from 'yaml';
import { markCreated } from '../plan/plan';
import {
  CREATED_ANNOTATION,
  KubeObject,
  PROMETHEUS_KIND,
} from '../render/types';

/** First line of every file Tracegate writes, with the cluster's name. */
const MARKER = '# Written by Tracegate for cluster ';
const REQUESTS = '# tracegate-requests:';

/** A file's path in the folder: kind, namespace and name. */
export function manifestFileName(object: KubeObject): string {
  const namespace = object.metadata.namespace ?? 'cluster-scoped';
  return `${object.kind.toLowerCase()}-${namespace}-${
    object.metadata.name
  }.yaml`;
}

/** Argo CD's and Flux's ways to keep an object when its file goes. */
const KEEP_ON_PRUNE = {
  'argocd.argoproj.io/sync-options': 'Prune=false',
  'kustomize.toolkit.fluxcd.io/prune': 'disabled',
};

/**
 * The object as its file holds it. Objects Tracegate creates carry its
 * marker, as an apply would set it; a Namespace (made by the platform, only
 * labelled by Tracegate) is kept by the GitOps tool when its file goes; a
 * Prometheus CR file holds only Tracegate's fields, for a server-side apply.
 */
export function asCommitted(object: KubeObject): KubeObject {
  if (object.kind === PROMETHEUS_KIND.kind) return object;
  if (object.kind !== 'Namespace') return markCreated(object);
  const { [CREATED_ANNOTATION]: _created, ...annotations } =
    object.metadata.annotations ?? {};
  return {
    ...object,
    metadata: {
      ...object.metadata,
      annotations: { ...annotations, ...KEEP_ON_PRUNE },
    },
  };
}

/**
 * The files for the rendered objects (each with the ids of the requests it
 * serves), each object as committed (asCommitted).
 */
export function manifestFiles(
  cluster: string,
  objects: Array<{ object: KubeObject; requestIds: string[] }>,
): Map<string, string> {
  const files = new Map<string, string>();
  for (const { object, requestIds } of objects) {
    files.set(
      manifestFileName(object),
      [
        `${MARKER}${cluster}; a GitOps tool applies it. Edits are taken back on Tracegate's next pass.`,
        `${REQUESTS} ${[...requestIds].sort().join(' ') || '-'}`,
        stringify(asCommitted(object), { lineWidth: 0 }),
      ].join('\n'),
    );
  }
  return files;
}

/** Whether a file in the folder is one Tracegate wrote for this cluster. */
export function isTracegateFile(cluster: string, content: string): boolean {
  return content.startsWith(`${MARKER}${cluster};`);
}

/** The request ids a file's header names. */
export function requestIdsOf(content: string): string[] {
  const line = content.split('\n', 3).find(l => l.startsWith(REQUESTS));
  return (
    line
      ?.slice(REQUESTS.length)
      .trim()
      .split(/\s+/)
      .filter(id => id && id !== '-') ?? []
  );
}

function idsOf(files: Map<string, string>): Set<string> {
  return new Set([...files.values()].flatMap(requestIdsOf));
}

/**
 * The commit message of a change from `before` to `after` (Tracegate's files
 * only): a subject, each request the change turns on with who asked and who
 * approved, each one it turns off, and the files.
 */
export function commitMessage(options: {
  cluster: string;
  before: Map<string, string>;
  after: Map<string, string>;
  requests: TracingRequest[];
}): string {
  const { cluster, before, after, requests } = options;
  const was = idsOf(before);
  const is = idsOf(after);
  const on = requests.filter(r => is.has(r.id) && !was.has(r.id));
  const off = [...was].filter(id => !is.has(id)).sort();
  const changes = changedFiles(before, after);
  const files = [
    ...changes.added.map(f => `  added    ${f}`),
    ...changes.changed.map(f => `  changed  ${f}`),
    ...changes.removed.map(f => `  removed  ${f}`),
  ];
  const counts = [
    on.length
      ? `turn on ${on.length} request${on.length === 1 ? '' : 's'}`
      : '',
    off.length
      ? `turn off ${off.length} request${off.length === 1 ? '' : 's'}`
      : '',
  ].filter(Boolean);
  const subject = `Tracegate ${cluster}: ${
    counts.length
      ? counts.join(', ')
      : 'bring the files back to the live requests'
  }`;
  const body = [
    ...on.map(
      r =>
        `Turn on ${r.method} tracing of ${r.workload.kind} ${r.namespace}/${
          r.workload.name
        } (${r.sampling.sampler} ${r.sampling.ratio}) until ${
          r.expiresAt
        }: request ${r.id} by ${r.requestedBy}, approved by ${
          r.decision?.by ?? 'unknown'
        }.`,
    ),
    ...off.map(
      id =>
        `Turn off request ${id}: no longer live (revoked, expired or replaced).`,
    ),
  ];
  return [
    subject,
    '',
    ...(body.length ? [...body, ''] : []),
    'Files:',
    ...files,
    '',
  ].join('\n');
}

/** The files that differ between `before` and `after`, by name. */
export function changedFiles(
  before: Map<string, string>,
  after: Map<string, string>,
): { added: string[]; changed: string[]; removed: string[] } {
  const names = [...after.keys()];
  return {
    added: names.filter(f => !before.has(f)),
    changed: names.filter(f => before.has(f) && before.get(f) !== after.get(f)),
    removed: [...before.keys()].filter(f => !after.has(f)),
  };
}

/** The requests whose files differ between `before` and `after`. */
export function changedRequestIds(
  before: Map<string, string>,
  after: Map<string, string>,
): Set<string> {
  const { added, changed } = changedFiles(before, after);
  return new Set(
    [...added, ...changed].flatMap(name => requestIdsOf(after.get(name)!)),
  );
}
