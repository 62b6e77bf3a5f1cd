import { TestDatabases } from '@backstage/backend-test-utils';
import { startTracingBackend } from '../__testUtils__/backend';
import { requestInput, unreachableCluster } from '../__testUtils__/fixtures';

/** tracing.maxDuration's default, which /capabilities reports. */
const THIRTY_DAYS_MS = 30 * 86_400_000;

/**
 * With Backstage's permission framework off (`permission.enabled: false`),
 * every permission is allowed; the plugin then applies its default rules
 * itself. An approval step anyone can pass would be no approval.
 */

const databases = TestDatabases.create({
  ids: ['SQLITE_3'],
  disableDocker: true,
});

describe('with the permission framework off', () => {
  async function setup() {
    return startTracingBackend({
      knex: await databases.init('SQLITE_3'),
      permissionFramework: 'off',
      tracing: { clusters: [unreachableCluster()] },
    });
  }

  it('only tracing.adminGroup approves or rejects', async () => {
    const backend = await setup();
    const filed = await backend.post('/requests', requestInput(), 'alice');
    expect(filed.status).toBe(201);
    const id = filed.body.id;
    for (const user of ['bob', 'alice', 'nobody'] as const) {
      const approve = await backend.post(`/requests/${id}/approve`, {}, user);
      expect(approve.status).toBe(403);
      expect(approve.body.error.message).toBe(
        'You may not approve this tracing request',
      );
      expect(
        (await backend.post(`/requests/${id}/reject`, { comment: 'no' }, user))
          .status,
      ).toBe(403);
    }
    expect((await backend.get(`/requests/${id}`)).body.status).toBe('pending');
    // The UI offers the queue by this answer.
    expect((await backend.get('/capabilities', 'bob')).body).toEqual({
      approve: false,
      maxDurationMs: THIRTY_DAYS_MS,
    });
    expect((await backend.get('/capabilities', 'ada')).body).toEqual({
      approve: true,
      maxDurationMs: THIRTY_DAYS_MS,
    });
    expect(
      (await backend.post(`/requests/${id}/approve`, {}, 'ada')).status,
    ).toBe(200);
  });

  it('owners file and revoke, the requester cancels, others cannot', async () => {
    const backend = await setup();
    const other = requestInput({
      workload: { kind: 'Deployment', name: 'other' },
    });
    expect((await backend.post('/requests', other, 'bob')).status).toBe(403);
    const filed = await backend.post('/requests', other, 'alice');
    expect(filed.status).toBe(201);
    expect(
      (await backend.post(`/requests/${filed.body.id}/cancel`, {}, 'guest'))
        .status,
    ).toBe(403);
    expect(
      (await backend.post(`/requests/${filed.body.id}/cancel`, {}, 'alice'))
        .status,
    ).toBe(200);

    const live = await backend.post('/requests', other, 'alice');
    expect(
      (await backend.post(`/requests/${live.body.id}/approve`, {}, 'ada'))
        .status,
    ).toBe(200);
    expect(
      (await backend.post(`/requests/${live.body.id}/revoke`, {}, 'bob'))
        .status,
    ).toBe(403);
    expect(
      (await backend.post(`/requests/${live.body.id}/revoke`, {}, 'guest'))
        .status,
    ).toBe(200);
  });
});

describe('capabilities with the permission framework on', () => {
  it('follow the policy', async () => {
    const backend = await startTracingBackend({
      knex: await databases.init('SQLITE_3'),
      tracing: { clusters: [unreachableCluster()] },
    });
    expect((await backend.get('/capabilities', 'alice')).body).toEqual({
      approve: false,
      maxDurationMs: THIRTY_DAYS_MS,
    });
    expect((await backend.get('/capabilities', 'ada')).body).toEqual({
      approve: true,
      maxDurationMs: THIRTY_DAYS_MS,
    });
  });
});
