/**
 * Tracing requests and their history in the plugin's database (knex:
 * SQLite or PostgreSQL): rows to requests and back, each transition with
 * its history row in one transaction, lists by permission filter and
 * cursor. The cluster leases are ClusterStore's; messages for users are the
 * service's.
 */
import { DatabaseService } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import { PermissionCriteria } from '@backstage/plugin-permission-common';
import {
  LastApply,
  TargetCheck,
  TraceArrival,
  FINAL_TRACING_REQUEST_STATUSES,
  LIVE_TRACING_REQUEST_STATUSES,
  SamplerName,
  TargetKind,
  TracingMethod,
  TracingRequest,
  TracingRequestHistoryEntry,
  TracingRequestStatus,
} from '@tracegate/plugin-tracing-common';
import { randomUUID } from 'node:crypto';
import { Knex } from 'knex';
import {
  ListTracingRequestsOptions,
  NewTracingRequest,
  TargetOf,
  TracingRequestFilter,
  TracingRequestStore,
  TracingRequestTransition,
  TargetHeldError,
} from './TracingRequestStore';
import { migrateDatabase } from './migrate';
import { fieldInputError } from '../service/fieldInputError';

const REQUESTS = 'tracing_requests';
const CLUSTERS = 'tracing_clusters';
const HISTORY = 'tracing_request_history';

type RequestRow = {
  seq: number | string;
  id: string;
  entity_ref: string;
  entity_owner: string;
  cluster: string;
  namespace: string;
  workload_kind: string;
  workload_name: string;
  pod_labels: string | null;
  open_ports: string | null;
  method: string;
  sampler: string;
  ratio: number | string;
  expires_at: string;
  reason: string;
  status: string;
  requested_by: string;
  created_at: string;
  updated_at: string;
  decided_by: string | null;
  decided_at: string | null;
  decision_comment: string | null;
  last_apply_at: string | null;
  last_apply_error: string | null;
  last_apply_rollout: string | null;
  last_apply_objects: string | null;
  last_apply_commit: string | null;
  target_check: string | null;
  supersedes: string | null;
  live_target: string | null;
  traces: string | null;
  expiry_warned_at: string | null;
  search_text: string | null;
};

type HistoryRow = {
  request_id: string;
  actor: string;
  at: string;
  from_status: string | null;
  to_status: string;
  comment: string | null;
};

/**
 * What `q` searches, lower-cased into `search_text` when a request is
 * filed (they do not change afterwards).
 */
function searchTextOf(request: NewTracingRequest): string {
  return [
    request.entityRef,
    request.workload.name,
    request.namespace,
    request.cluster,
    request.requestedBy,
    request.reason,
  ]
    .join(' ')
    .toLocaleLowerCase('en-US');
}

/** `q` as LIKE patterns, one per word, lower case, wildcards escaped. */
function searchWords(q: string | undefined): string[] {
  return (q ?? '')
    .toLocaleLowerCase('en-US')
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 8)
    .map(word => `%${word.replace(/[\\%_]/g, ch => `\\${ch}`)}%`);
}

/** Counts a change of the cluster's live set, in the caller's transaction. */
async function bumpRevision(tx: Knex.Transaction, cluster: string) {
  await tx(CLUSTERS)
    .insert({ cluster, revision: 1 })
    .onConflict('cluster')
    .merge({ revision: tx.raw('?? + 1', [`${CLUSTERS}.revision`]) });
}

/** A compare-and-set found the request moved on: undo the transaction. */
class LostRace extends Error {}

const FILTER_COLUMNS: Record<TracingRequestFilter['field'], string> = {
  requestedBy: 'requested_by',
  entityOwner: 'entity_owner',
  status: 'status',
  cluster: 'cluster',
};

/**
 * {@link TracingRequestStore} on Backstage's database service (SQLite or
 * PostgreSQL).
 *
 * @internal
 */
export class DatabaseTracingRequestStore implements TracingRequestStore {
  static async create(options: {
    database: DatabaseService;
  }): Promise<DatabaseTracingRequestStore> {
    return new DatabaseTracingRequestStore(
      await migrateDatabase(options.database),
    );
  }

  private constructor(private readonly db: Knex) {}

  async create(
    request: NewTracingRequest,
    options: { actor: string; at: string },
  ): Promise<TracingRequest> {
    const id = randomUUID();
    await this.guardTarget(request, () =>
      this.db.transaction(async tx => {
        await tx(REQUESTS).insert({
          id,
          entity_ref: request.entityRef,
          entity_owner: request.entityOwner,
          cluster: request.cluster,
          namespace: request.namespace,
          workload_kind: request.workload.kind,
          workload_name: request.workload.name,
          pod_labels: request.podLabels
            ? JSON.stringify(request.podLabels)
            : null,
          open_ports: request.openPorts ?? null,
          method: request.method,
          sampler: request.sampling.sampler,
          ratio: request.sampling.ratio,
          expires_at: request.expiresAt,
          reason: request.reason,
          status: 'pending',
          requested_by: request.requestedBy,
          search_text: searchTextOf(request),
          created_at: options.at,
          updated_at: options.at,
          target_check: request.targetCheck
            ? JSON.stringify(request.targetCheck)
            : null,
          supersedes: request.supersedes ?? null,
          // A replacement takes its target over only when it is approved.
          live_target: request.supersedes ? null : liveTargetKey(request),
        });
        await tx(HISTORY).insert({
          request_id: id,
          actor: options.actor,
          at: options.at,
          from_status: null,
          to_status: 'pending',
        });
      }),
    );
    return (await this.get(id))!;
  }

  async get(id: string): Promise<TracingRequest | undefined> {
    const row = await this.db<RequestRow>(REQUESTS).where({ id }).first();
    return row ? toRequest(row) : undefined;
  }

  async getHistory(id: string): Promise<TracingRequestHistoryEntry[]> {
    const rows = await this.db<HistoryRow>(HISTORY)
      .where({ request_id: id })
      .orderBy('seq', 'asc');
    return rows.map(toHistoryEntry);
  }

  async list(
    options: ListTracingRequestsOptions,
  ): Promise<{ items: TracingRequest[]; nextCursor?: string }> {
    const query = this.db<RequestRow>(REQUESTS)
      .orderBy('seq', 'desc')
      .limit(options.limit + 1);
    if (options.entityRef) query.where('entity_ref', options.entityRef);
    if (options.cluster) query.where('cluster', options.cluster);
    if (options.requestedBy) query.where('requested_by', options.requestedBy);
    if (options.supersedes) query.where('supersedes', options.supersedes);
    if (options.statuses?.length) query.whereIn('status', options.statuses);
    for (const word of searchWords(options.q)) {
      query.whereRaw(`search_text LIKE ? ESCAPE '\\'`, [word]);
    }
    if (options.cursor) query.where('seq', '<', decodeCursor(options.cursor));
    if (options.filter) {
      const filter = options.filter;
      query.where(builder => applyCriteria(builder, filter));
    }
    const rows = await query;
    const page = rows.slice(0, options.limit);
    return {
      items: page.map(toRequest),
      nextCursor:
        rows.length > options.limit
          ? encodeCursor(page[page.length - 1].seq)
          : undefined,
    };
  }

  async transition(
    transition: TracingRequestTransition,
  ): Promise<TracingRequest | undefined> {
    const [updated] = (await this.transitionAll([transition])) ?? [];
    return updated;
  }

  async transitionAll(
    transitions: TracingRequestTransition[],
  ): Promise<TracingRequest[] | undefined> {
    let changed = true;
    try {
      await this.db.transaction(async tx => {
        for (const transition of transitions) {
          if (!(await this.applyTransition(tx, transition))) {
            throw new LostRace();
          }
        }
      });
    } catch (error) {
      if (error instanceof LostRace) changed = false;
      else if (isUniqueViolation(error)) {
        throw new ConflictError(
          'Another live request holds this target now; reload and try again',
        );
      } else throw error;
    }
    if (!changed) return undefined;
    return Promise.all(transitions.map(async t => (await this.get(t.id))!));
  }

  async findTargetHolder(
    request: TargetOf,
  ): Promise<TracingRequest | undefined> {
    const row = await this.db<RequestRow>(REQUESTS)
      .where({ live_target: liveTargetKey(request) })
      .first();
    return row ? toRequest(row) : undefined;
  }

  /** One compare-and-set and its history row; false when the request moved. */
  private async applyTransition(
    tx: Knex.Transaction,
    transition: TracingRequestTransition,
  ): Promise<boolean> {
    const update: Partial<RequestRow> = {
      status: transition.to,
      updated_at: transition.at,
    };
    if (transition.recordDecision) {
      update.decided_by = transition.actor;
      update.decided_at = transition.at;
      update.decision_comment = transition.comment ?? null;
    }
    if (transition.lastApply) {
      Object.assign(update, lastApplyColumns(transition.lastApply));
    }
    if (transition.targetCheck) {
      update.target_check = JSON.stringify(transition.targetCheck);
    }
    if (FINAL_TRACING_REQUEST_STATUSES.includes(transition.to)) {
      update.live_target = null;
    } else if (transition.claimTarget) {
      update.live_target = liveTargetKey(transition.claimTarget);
    }
    // The compare-and-set: only a request still in `from` moves.
    const count = await tx<RequestRow>(REQUESTS)
      .where({ id: transition.id, status: transition.from })
      .update(update);
    if (count === 0) return false;
    if (
      LIVE_TRACING_REQUEST_STATUSES.includes(transition.from) !==
      LIVE_TRACING_REQUEST_STATUSES.includes(transition.to)
    ) {
      const row = await tx<RequestRow>(REQUESTS)
        .where({ id: transition.id })
        .first('cluster');
      await bumpRevision(tx, row!.cluster);
    }
    await tx(HISTORY).insert({
      request_id: transition.id,
      actor: transition.actor,
      at: transition.at,
      from_status: transition.from,
      to_status: transition.to,
      comment: transition.comment ?? null,
    });
    return true;
  }

  /** Turns a lost race for a target into a 409 carrying who holds it. */
  private async guardTarget<T>(
    request: TargetOf,
    write: () => Promise<T>,
  ): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      throw new TargetHeldError(await this.findTargetHolder(request));
    }
  }

  async listByCluster(options: {
    cluster: string;
    statuses: readonly TracingRequestStatus[];
  }): Promise<TracingRequest[]> {
    const rows = await this.db<RequestRow>(REQUESTS)
      .where('cluster', options.cluster)
      .whereIn('status', options.statuses)
      .orderBy('seq', 'asc');
    return rows.map(toRequest);
  }

  async recordApply(options: {
    id: string;
    status: TracingRequestStatus;
    lastApply: LastApply;
  }): Promise<boolean> {
    const count = await this.db<RequestRow>(REQUESTS)
      .where({ id: options.id, status: options.status })
      .update(lastApplyColumns(options.lastApply));
    return count > 0;
  }

  async recordTraceArrival(options: {
    id: string;
    traces: TraceArrival;
    targetCheck?: TargetCheck;
  }): Promise<boolean> {
    const count = await this.db<RequestRow>(REQUESTS)
      .where({ id: options.id, status: 'active' })
      .update({
        traces: JSON.stringify(options.traces),
        ...(options.targetCheck
          ? { target_check: JSON.stringify(options.targetCheck) }
          : {}),
      });
    return count > 0;
  }

  async listExpired(options: {
    at: string;
    statuses: readonly TracingRequestStatus[];
    notWarned?: boolean;
  }): Promise<TracingRequest[]> {
    const query = this.db<RequestRow>(REQUESTS)
      .whereIn('status', options.statuses)
      .where('expires_at', '<=', options.at)
      .orderBy('seq', 'asc');
    if (options.notWarned) query.whereNull('expiry_warned_at');
    return (await query).map(toRequest);
  }

  async claimExpiryWarning(id: string): Promise<boolean> {
    const count = await this.db<RequestRow>(REQUESTS)
      .where({ id })
      .whereNull('expiry_warned_at')
      .update({ expiry_warned_at: new Date().toISOString() });
    return count > 0;
  }
}

function applyCriteria(
  builder: Knex.QueryBuilder,
  criteria: PermissionCriteria<TracingRequestFilter>,
): void {
  if ('allOf' in criteria) {
    for (const c of criteria.allOf) builder.andWhere(b => applyCriteria(b, c));
  } else if ('anyOf' in criteria) {
    for (const c of criteria.anyOf) builder.orWhere(b => applyCriteria(b, c));
  } else if ('not' in criteria) {
    builder.whereNot(b => applyCriteria(b, criteria.not));
  } else {
    builder.whereIn(FILTER_COLUMNS[criteria.field], criteria.values);
  }
}

function encodeCursor(seq: number | string): string {
  return Buffer.from(JSON.stringify({ seq: Number(seq) })).toString(
    'base64url',
  );
}

function decodeCursor(cursor: string): number {
  try {
    const { seq } = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    if (Number.isSafeInteger(seq) && seq > 0) return seq;
  } catch {
    // fall through
  }
  throw fieldInputError({
    field: 'cursor',
    message: 'is not a cursor this API returned',
  });
}

function toRequest(row: RequestRow): TracingRequest {
  return {
    id: row.id,
    entityRef: row.entity_ref,
    entityOwner: row.entity_owner,
    cluster: row.cluster,
    namespace: row.namespace,
    workload: {
      kind: row.workload_kind as TargetKind,
      name: row.workload_name,
    },
    ...(row.pod_labels ? { podLabels: JSON.parse(row.pod_labels) } : {}),
    ...(row.open_ports ? { openPorts: row.open_ports } : {}),
    method: row.method as TracingMethod,
    sampling: { sampler: row.sampler as SamplerName, ratio: Number(row.ratio) },
    expiresAt: row.expires_at,
    reason: row.reason,
    status: row.status as TracingRequestStatus,
    requestedBy: row.requested_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    ...(row.decided_by && row.decided_at
      ? {
          decision: {
            by: row.decided_by,
            at: row.decided_at,
            ...(row.decision_comment ? { comment: row.decision_comment } : {}),
          },
        }
      : {}),
    ...(row.last_apply_at
      ? {
          lastApply: {
            at: row.last_apply_at,
            ...(row.last_apply_error ? { error: row.last_apply_error } : {}),
            ...(row.last_apply_rollout
              ? { rollout: JSON.parse(row.last_apply_rollout) }
              : {}),
            ...(row.last_apply_objects
              ? { objects: JSON.parse(row.last_apply_objects) }
              : {}),
            ...(row.last_apply_commit
              ? { commit: JSON.parse(row.last_apply_commit) }
              : {}),
          },
        }
      : {}),
    ...(row.target_check ? { targetCheck: JSON.parse(row.target_check) } : {}),
    ...(row.supersedes ? { supersedes: row.supersedes } : {}),
    ...(row.traces ? { traces: JSON.parse(row.traces) } : {}),
  };
}

/** The key a request holds its target by: one live request per target. */
function liveTargetKey(request: TargetOf): string {
  const { cluster, namespace, workload } = request;
  return `${cluster}/${workload.kind}/${namespace}/${workload.name}`;
}

/** A unique index refused the write (better-sqlite3 or PostgreSQL). */
function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: string })?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
}

function lastApplyColumns(lastApply: LastApply): Partial<RequestRow> {
  return {
    last_apply_at: lastApply.at,
    last_apply_error: lastApply.error ?? null,
    last_apply_rollout: lastApply.rollout
      ? JSON.stringify(lastApply.rollout)
      : null,
    last_apply_objects: lastApply.objects
      ? JSON.stringify(lastApply.objects)
      : null,
    last_apply_commit: lastApply.commit
      ? JSON.stringify(lastApply.commit)
      : null,
  };
}

function toHistoryEntry(row: HistoryRow): TracingRequestHistoryEntry {
  return {
    actor: row.actor,
    at: row.at,
    from: row.from_status as TracingRequestStatus | null,
    to: row.to_status as TracingRequestStatus,
    ...(row.comment ? { comment: row.comment } : {}),
  };
}
