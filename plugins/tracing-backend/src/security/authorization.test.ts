import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import request from 'supertest';
import {
  startTracingBackend,
  TracingTestBackend,
} from '../__testUtils__/backend';
import { expectMatchesContract } from '../__testUtils__/contract';
import {
  requestInput,
  TestUser,
  unreachableCluster,
  userRef,
} from '../__testUtils__/fixtures';

/**
 * Every route against every kind of caller, as one table: the status each
 * caller gets. A denied write must also leave the request as it was.
 */

type CallerName =
  | 'anonymous'
  | 'service'
  | 'nobody'
  | 'owner'
  | 'otherOwner'
  | 'requester'
  | 'admin'
  | 'adminOwn';

type Caller = {
  header: () => string;
  /** Who files the request the route acts on, for this caller's cell. */
  filer: TestUser;
};

const CALLERS: Record<CallerName, Caller> = {
  anonymous: { header: () => mockCredentials.none.header(), filer: 'guest' },
  service: { header: () => mockCredentials.service.header(), filer: 'guest' },
  nobody: { header: () => user('nobody'), filer: 'guest' },
  // alice is in team-shop, which owns checkout; guest (team-shop) files.
  owner: { header: () => user('alice'), filer: 'guest' },
  otherOwner: { header: () => user('bob'), filer: 'guest' },
  requester: { header: () => user('guest'), filer: 'guest' },
  admin: { header: () => user('ada'), filer: 'guest' },
  // root is an admin in team-shop, acting on a request it filed itself.
  adminOwn: { header: () => user('root'), filer: 'root' },
};

function user(name: TestUser) {
  return mockCredentials.user.header(userRef(name));
}

type Route = {
  route: string;
  /** The state of the request the route acts on (none: no request). */
  on?: 'pending' | 'approved';
  expected: Record<CallerName, number>;
};

/** Users may read; only the right users may write; no service, no anonymous. */
const reads = (ok: number): Record<CallerName, number> => ({
  anonymous: 401,
  service: 403,
  nobody: ok,
  owner: ok,
  otherOwner: ok,
  requester: ok,
  admin: ok,
  adminOwn: ok,
});

const ROUTES: Route[] = [
  { route: 'GET /health', expected: { ...reads(200), service: 200 } },
  { route: 'GET /clusters', expected: reads(200) },
  { route: 'GET /requests', expected: reads(200) },
  {
    route: 'GET /entities/component/default/checkout/status',
    expected: reads(200),
  },
  {
    route: 'GET /entities/component/default/checkout/workloads?cluster=local',
    expected: reads(200),
  },
  { route: 'GET /requests/:id', on: 'pending', expected: reads(200) },
  { route: 'GET /requests/:id/preview', on: 'pending', expected: reads(200) },
  { route: 'GET /requests/:id/traces', on: 'approved', expected: reads(200) },
  // Anyone signed in learns what they may do; the answer differs, not the status.
  { route: 'GET /capabilities', expected: reads(200) },
  {
    route: 'GET /entities/component/default/checkout/capabilities',
    expected: reads(200),
  },
  {
    // Filing needs ownership of the entity (team-shop's checkout).
    route: 'POST /requests',
    expected: {
      ...reads(403),
      anonymous: 401,
      owner: 201,
      requester: 201,
      adminOwn: 201,
    },
  },
  {
    route: 'POST /requests/preview',
    expected: {
      ...reads(403),
      anonymous: 401,
      owner: 200,
      requester: 200,
      adminOwn: 200,
    },
  },
  {
    route: 'POST /requests/:id/extend',
    on: 'approved',
    expected: {
      ...reads(403),
      anonymous: 401,
      owner: 201,
      requester: 201,
      adminOwn: 201,
    },
  },
  {
    // Admins decide, never on their own request.
    route: 'POST /requests/:id/approve',
    on: 'pending',
    expected: { ...reads(403), anonymous: 401, admin: 200 },
  },
  {
    route: 'POST /requests/:id/reject',
    on: 'pending',
    expected: { ...reads(403), anonymous: 401, admin: 200 },
  },
  {
    // Only the requester cancels.
    route: 'POST /requests/:id/cancel',
    on: 'pending',
    expected: { ...reads(403), anonymous: 401, requester: 200, adminOwn: 200 },
  },
  {
    // The entity's owners and admins revoke.
    route: 'POST /requests/:id/revoke',
    on: 'approved',
    expected: {
      ...reads(403),
      anonymous: 401,
      owner: 200,
      requester: 200,
      admin: 200,
      adminOwn: 200,
    },
  },
];

// Authorization does not depend on the database: SQLite only.
const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

let workloadCount = 0;
/** One live request per workload: every cell files for a workload of its own. */
const uniqueInput = () =>
  requestInput({
    workload: { kind: 'Deployment', name: `authz-${++workloadCount}` },
  });

describe('the authorization matrix', () => {
  let backend: TracingTestBackend;

  beforeAll(async () => {
    backend = await startTracingBackend({
      knex: await databases.init('SQLITE_3'),
      tracing: {
        // Nothing listens on port 9: authorization needs no cluster.
        clusters: [unreachableCluster()],
      },
    });
  });

  async function requestIn(state: 'pending' | 'approved', filer: TestUser) {
    const filed = await backend.post('/requests', uniqueInput(), filer);
    expect(filed.status).toBe(201);
    if (state === 'approved') {
      const approved = await backend.post(
        `/requests/${filed.body.id}/approve`,
        {},
        'ada',
      );
      expect(approved.status).toBe(200);
    }
    return filed.body.id as string;
  }

  function call(route: string, id: string | undefined, header: string) {
    const [method, template] = route.split(' ');
    const path = `/api/tracing${template.replace(':id', id ?? '')}`;
    if (method === 'GET') {
      return request(backend.server).get(path).set('Authorization', header);
    }
    const body = bodyFor(template);
    return request(backend.server)
      .post(path)
      .set('Authorization', header)
      .send(body);
  }

  function bodyFor(template: string) {
    if (template.endsWith('/extend')) {
      return {
        expiresAt: new Date(Date.now() + 10 * 86_400_000).toISOString(),
      };
    }
    if (template === '/requests' || template === '/requests/preview') {
      return uniqueInput();
    }
    // A reject needs a comment; the other actions take one.
    return { comment: 'matrix' };
  }

  const cells = ROUTES.flatMap(({ route, on, expected }) =>
    (Object.keys(CALLERS) as CallerName[]).map(
      caller => [route, caller, expected[caller], on] as const,
    ),
  );

  it(`has a cell for every route and caller (${cells.length})`, () => {
    expect(cells).toHaveLength(17 * 8);
  });

  it.each([
    ['owner', true],
    ['requester', true],
    ['otherOwner', false],
    ['nobody', false],
    ['admin', false],
  ] as const)(
    "tells %s whether the policy lets it file for checkout (the tab's button): %s",
    async (callerName, allowed) => {
      const res = await call(
        'GET /entities/component/default/checkout/capabilities',
        undefined,
        CALLERS[callerName].header(),
      );
      expect(res.body).toEqual({ request: allowed });
    },
  );

  it.each(cells)('%s as %s → %i', async (route, callerName, status, on) => {
    const caller = CALLERS[callerName];
    const id = on ? await requestIn(on, caller.filer) : undefined;
    const before = id && (await backend.get(`/requests/${id}`, 'ada')).body;
    const res = await call(route, id, caller.header());
    expect(res.status).toBe(status);
    // Each answer, allowed or refused, is one the contract documents.
    const [method, template] = route.split(' ');
    expectMatchesContract(
      method,
      template.replace(':id', id ?? ''),
      res.status,
      res.body,
    );
    // Refused: the request and its history are exactly as they were.
    const refused = Boolean(id) && res.status >= 400;
    const after = refused && (await backend.get(`/requests/${id}`, 'ada')).body;
    expect(after).toEqual(refused ? before : false);
  });
});
