/* eslint jest/expect-expect: ["warn", { "assertFunctionNames": ["expect", "expectRefused"] }] */
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import {
  DAY_MS,
  dnsLabelSchema,
  dnsSubdomainSchema,
  isValidOpenPorts,
  LIVE_TRACING_REQUEST_STATUSES,
  podLabelsSchema,
  SAMPLER_NAMES,
  TARGET_KINDS,
  TRACING_METHODS,
  TRACING_REQUEST_STATUSES,
} from '@tracegate/plugin-tracing-common';
import fc from 'fast-check';
import { Knex } from 'knex';
import request from 'supertest';
import { DatabaseTracingRequestStore } from '../database/DatabaseTracingRequestStore';
import { renderCluster } from '../render';
import {
  startTracingBackend,
  TracingTestBackend,
} from '../__testUtils__/backend';
import { createTestDatabases } from '../__testUtils__/databases';
import { waitUntil } from '../__testUtils__/wait';
import {
  requestInput,
  testClusterSettings,
  unreachableCluster,
  userRef,
} from '../__testUtils__/fixtures';

/**
 * Hostile input for every write route: each generated body, query string or
 * id is invalid by construction, so each answer must be a 4xx naming the
 * field, and nothing may be written or rendered differently.
 */

/** Validity as the API's own schemas see it: what they refuse is hostile. */
const accepts =
  (schema: { safeParse(v: unknown): { success: boolean } }) =>
  (value: unknown) =>
    schema.safeParse(value).success;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Strings that have hurt YAML, JSON, paths, shells and databases before. */
const HOSTILE = [
  'a\nkind: ClusterRole',
  'a\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding',
  '{"kind":"ClusterRole"}',
  "'; DROP TABLE tracing_requests; --",
  '../../../etc/passwd',
  '..%2F..%2Fsecrets',
  '__proto__',
  'constructor',
  'shop\u0000',
  '\u0000',
  'SHOP',
  'ünïcödé-☃-𝔘',
  '\u202eevil',
  '${jndi:ldap://x}',
  '{{ .Values.secret }}',
  '*',
  ' ',
  '',
  '- a',
  '&anchor *anchor',
  '!!js/function x',
  'a: b',
  '#comment',
  '<img src=x onerror=alert(1)>',
];

const hostileString = fc.oneof(
  fc.constantFrom(...HOSTILE),
  fc.string({ unit: 'grapheme', maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ minLength: 3000, maxLength: 6000 }),
);

const wrongType = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 2 }),
);

/** A value `isValid` refuses: a wrong type or a hostile string. */
function invalid(isValid: (value: string) => boolean) {
  return fc.oneof(
    wrongType,
    hostileString.filter(s => !isValid(s)),
  );
}

const CATALOG_NAMES = /checkout|cart|forecast|shop-web/i;
const isIso = (s: string) => !Number.isNaN(Date.parse(s));
const inDays = (days: number) =>
  new Date(Date.now() + days * DAY_MS).toISOString();

/** Body fields of POST /requests and values each of them refuses. */
const INVALID_REQUEST_FIELDS: Record<string, fc.Arbitrary<unknown>> = {
  entityRef: invalid(s => CATALOG_NAMES.test(s)),
  cluster: invalid(s => s === 'local'),
  namespace: invalid(accepts(dnsLabelSchema)),
  workload: fc.oneof(
    wrongType,
    invalid(s => (TARGET_KINDS as readonly string[]).includes(s)).map(kind => ({
      kind,
      name: 'x',
    })),
    invalid(accepts(dnsSubdomainSchema)).map(name => ({
      kind: 'Deployment',
      name,
    })),
    hostileString.map(extra => ({ kind: 'Deployment', name: 'x', extra })),
  ),
  podLabels: fc.oneof(
    wrongType.filter(v => typeof v !== 'object' || Array.isArray(v)),
    // A computed key makes an own property, even for __proto__.
    hostileString
      .map(key => ({ [key]: 'x' }))
      .filter(labels => !accepts(podLabelsSchema)(labels)),
    invalid(value => accepts(podLabelsSchema)({ app: value })).map(value => ({
      app: value,
    })),
  ),
  openPorts: invalid(isValidOpenPorts),
  method: invalid(s => (TRACING_METHODS as readonly string[]).includes(s)),
  sampling: fc.oneof(
    wrongType,
    invalid(s => (SAMPLER_NAMES as readonly string[]).includes(s)).map(
      sampler => ({ sampler, ratio: 0.5 }),
    ),
    fc
      .oneof(
        fc.double({ min: 1.000001, noNaN: true }),
        fc.double({ max: -0.000001, noNaN: true }),
        hostileString,
      )
      .map(ratio => ({ sampler: 'always_on', ratio })),
  ),
  expiresAt: fc.oneof(
    invalid(isIso),
    fc.constantFrom(inDays(-1), inDays(400), '2020-01-01T00:00:00Z'),
  ),
  reason: fc.oneof(
    wrongType,
    fc.constantFrom('', '   ', '\n'),
    fc
      .string({ minLength: 2001, maxLength: 4000 })
      .filter(s => s.trim().length > 2000),
  ),
  supersedes: invalid(s => UUID.test(s)),
};

const KNOWN_FIELDS = new Set(Object.keys(INVALID_REQUEST_FIELDS));

/** Keys a body must not carry, and what they carry. */
const unknownKey = fc
  .tuple(
    fc.oneof(
      fc.constantFrom('__proto__', 'constructor', 'prototype', 'kind', 'image'),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }),
    ),
    fc.oneof(wrongType, hostileString),
  )
  .filter(([key]) => !KNOWN_FIELDS.has(key));

/** A body with one field broken: [the field an answer must name, body]. */
function brokenBody(
  valid: () => Record<string, unknown>,
  fields: Record<string, fc.Arbitrary<unknown>>,
): fc.Arbitrary<[string, Record<string, unknown>]> {
  return fc.oneof(
    ...Object.entries(fields).map(([field, value]) =>
      value.map(v => {
        const body = valid();
        body[field] = v;
        return [field, body] as [string, Record<string, unknown>];
      }),
    ),
    unknownKey.map(([key, v]) => {
      const body = valid();
      // An own property even for __proto__ (an assignment would set the
      // prototype instead).
      Object.defineProperty(body, key, {
        value: v,
        enumerable: true,
        writable: true,
        configurable: true,
      });
      return [key, body] as [string, Record<string, unknown>];
    }),
  );
}

const comment = fc.oneof(
  wrongType,
  fc
    .string({ minLength: 2001, maxLength: 4000 })
    .filter(s => s.trim().length > 2000),
);

/** `field: ...` or `field.child: ...`, first or after another field's `; `. */
function namesField(field: string): RegExp {
  const escaped = field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|; )${escaped}(\\.[^:]+)?: `);
}

const databases = createTestDatabases();
jest.setTimeout(300_000);

/** Inputs tried, per database, for the closing figure. */
const tried: Record<string, number> = {};

describe.each(databases.eachSupportedId())(
  'hostile input on %p',
  databaseId => {
    let backend: TracingTestBackend;
    let knex: Knex;
    let store: DatabaseTracingRequestStore;
    let pendingId: string;
    let approvedId: string;
    let workloads = 0;
    const validRequest = () =>
      requestInput({
        workload: { kind: 'Deployment', name: `fuzz-${++workloads}` },
      }) as unknown as Record<string, unknown>;

    /** Rows written and what the cluster would get: must never change. */
    async function snapshot() {
      const [requests] = await knex('tracing_requests').count({ n: '*' });
      const [history] = await knex('tracing_request_history').count({ n: '*' });
      const live = await store.listByCluster({
        cluster: 'local',
        statuses: LIVE_TRACING_REQUEST_STATUSES,
      });
      return {
        requests: Number(requests.n),
        history: Number(history.n),
        rendered: renderCluster(testClusterSettings(), live),
      };
    }

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      backend = await startTracingBackend({
        knex,
        tracing: {
          maxDuration: { days: 30 },
          // Nothing listens on port 9: validation needs no cluster.
          clusters: [unreachableCluster()],
        },
      });
      store = await DatabaseTracingRequestStore.create({
        database: mockServices.database({ knex }),
      });
      pendingId = (await backend.post('/requests', validRequest())).body.id;
      approvedId = (await backend.post('/requests', validRequest())).body.id;
      const approved = await backend.post(
        `/requests/${approvedId}/approve`,
        {},
        'ada',
      );
      if (approved.status !== 200) {
        throw new Error(`approve: ${JSON.stringify(approved.body)}`);
      }
      // The pass that approve starts fails on the unreachable cluster and
      // records it: let it finish before the snapshots start.
      await waitUntil(
        'the first pass to fail',
        async () => (await store.get(approvedId))?.status === 'failed',
      );
    });

    afterAll(() => {
      // eslint-disable-next-line no-console
      console.log(`fuzz on ${databaseId}: ${tried[databaseId]} inputs`);
    });

    /**
     * Runs `property` over `arbitrary`: every answer a 4xx that names
     * `field`, and the database and rendered objects exactly as before.
     */
    async function expectRefused<T>(
      arbitrary: fc.Arbitrary<T>,
      send: (input: T) => request.Test,
      fieldOf: (input: T) => string,
      numRuns = 150,
    ) {
      const before = await snapshot();
      await fc.assert(
        fc.asyncProperty(arbitrary, async input => {
          tried[databaseId] = (tried[databaseId] ?? 0) + 1;
          const res = await send(input);
          expect(res.status).toBeGreaterThanOrEqual(400);
          expect(res.status).toBeLessThan(500);
          expect(res.body.error.message).toMatch(namesField(fieldOf(input)));
        }),
        { numRuns },
      );
      expect(await snapshot()).toEqual(before);
    }

    const asUser = (user: 'guest' | 'ada' = 'guest') =>
      mockCredentials.user.header(userRef(user));
    const postJson = (path: string, body: unknown, user?: 'guest' | 'ada') =>
      request(backend.server)
        .post(`/api/tracing${path}`)
        .set('Authorization', asUser(user))
        .set('Content-Type', 'application/json')
        .send(JSON.stringify(body));

    it.each(['/requests', '/requests/preview'])('POST %s', async path => {
      await expectRefused(
        brokenBody(validRequest, INVALID_REQUEST_FIELDS),
        ([, body]) => postJson(path, body),
        ([field]) => field,
        400,
      );
    });

    it('POST /requests/:id/extend', async () => {
      await expectRefused(
        brokenBody(() => ({ expiresAt: inDays(20) }), {
          expiresAt: INVALID_REQUEST_FIELDS.expiresAt,
          reason: INVALID_REQUEST_FIELDS.reason,
        }),
        ([, body]) => postJson(`/requests/${approvedId}/extend`, body),
        ([field]) => field,
      );
    });

    it.each([
      ['approve', 'ada'],
      ['reject', 'ada'],
      ['cancel', 'guest'],
      ['revoke', 'ada'],
    ] as const)('POST /requests/:id/%s', async (action, user) => {
      const id = action === 'revoke' ? approvedId : pendingId;
      const fields = { comment };
      await expectRefused(
        brokenBody(() => ({ comment: 'ok' }), fields),
        ([, body]) => postJson(`/requests/${id}/${action}`, body, user),
        ([field]) => field,
      );
    });

    it('bodies that are not JSON objects', async () => {
      await expectRefused(
        fc.oneof(
          fc.constantFrom(
            '{',
            '{"a":',
            'null',
            '[]',
            '"x"',
            '1',
            'true',
            '{"a":1}}',
          ),
          fc.json().filter(text => !text.trim().startsWith('{')),
          fc.string({ unit: 'grapheme', maxLength: 50 }).filter(s => {
            // An empty body is an empty object: its answer names every field.
            if (s.trim() === '') return false;
            try {
              return (
                typeof JSON.parse(s) !== 'object' || JSON.parse(s) === null
              );
            } catch {
              return true;
            }
          }),
        ),
        text =>
          request(backend.server)
            .post('/api/tracing/requests')
            .set('Authorization', asUser())
            .set('Content-Type', 'application/json')
            .send(text),
        () => '(body)',
      );
    });

    it('ids that are not request ids, on every route that takes one', async () => {
      const routes = [
        '',
        '/preview',
        '/traces',
        '/extend',
        '/approve',
        '/reject',
        '/cancel',
        '/revoke',
      ];
      await expectRefused(
        fc.tuple(
          fc.constantFrom(...routes),
          hostileString.filter(
            s => s.length > 0 && s.length < 2000 && !UUID.test(s),
          ),
        ),
        ([route, id]) => {
          const path = `/api/tracing/requests/${encodeURIComponent(
            id,
          )}${route}`;
          return ['', '/preview', '/traces'].includes(route)
            ? request(backend.server)
                .get(path)
                .set('Authorization', asUser('ada'))
            : request(backend.server)
                .post(path)
                .set('Authorization', asUser('ada'))
                .send({ comment: 'x', expiresAt: inDays(2) });
        },
        () => 'id',
      );
    });

    it('free text (reasons, comments, list filters) is stored or refused, never a 5xx', async () => {
      const text = fc.oneof(
        fc.constantFrom(...HOSTILE),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 200 }),
      );
      await fc.assert(
        fc.asyncProperty(
          text,
          fc.constantFrom(
            'reason',
            'comment',
            'entityRef',
            'cluster',
            'requestedBy',
          ),
          async (value, field) => {
            tried[databaseId] = (tried[databaseId] ?? 0) + 1;
            let res: request.Response;
            if (field === 'reason') {
              res = await postJson('/requests', {
                ...validRequest(),
                reason: value,
              });
            } else if (field === 'comment') {
              const { body } = await backend.post('/requests', validRequest());
              res = await postJson(
                `/requests/${body.id}/reject`,
                { comment: value },
                'ada',
              );
            } else {
              res = await request(backend.server)
                .get(
                  `/api/tracing/requests?${field}=${encodeURIComponent(value)}`,
                )
                .set('Authorization', asUser());
            }
            expect(res.status).toBeLessThan(500);
            const refusal =
              res.status >= 400 ? res.body.error.message : `${field}: taken`;
            expect(refusal).toMatch(namesField(field));
          },
        ),
        { numRuns: 200 },
      );
    });

    it('query strings of GET /requests and the workloads route', async () => {
      const listQuery = fc.oneof(
        invalid(s =>
          (TRACING_REQUEST_STATUSES as readonly string[]).includes(s),
        )
          .filter(v => typeof v === 'string')
          .map(v => ['status', `status=${encodeURIComponent(v as string)}`]),
        fc
          .oneof(
            fc.integer({ max: 0 }),
            fc.integer({ min: 101 }),
            hostileString.filter(s => !/^\s*\d+\s*$/.test(s)),
          )
          .map(v => ['limit', `limit=${encodeURIComponent(String(v))}`]),
        hostileString
          .filter(s => s.length > 0)
          .map(v => ['cursor', `cursor=${encodeURIComponent(v)}`]),
        fc
          .constantFrom('status[__proto__]=x', 'limit[]=1', 'status[a][b]=c')
          .map(q => [q.split('[')[0], q]),
        unknownKey
          // Express's query parser drops keys Object.prototype has
          // (__proto__, constructor, ...) before any route sees them.
          .filter(([key]) => !(key in Object.prototype))
          .filter(
            ([key]) =>
              ![
                'entityRef',
                'cluster',
                'requestedBy',
                'status',
                'limit',
                'cursor',
              ].includes(key),
          )
          .map(([key]) => [key, `${encodeURIComponent(key)}=1`]),
      ) as fc.Arbitrary<[string, string]>;
      await expectRefused(
        listQuery,
        ([, query]) =>
          request(backend.server)
            .get(`/api/tracing/requests?${query}`)
            .set('Authorization', asUser()),
        ([field]) => field,
      );
    });
  },
);
