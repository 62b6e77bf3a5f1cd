import { JsonObject } from '@backstage/types';
import { ConfigReader } from '@backstage/config';
import { TracingRequest } from '@tracegate/plugin-tracing-common';
import { startTracingBackend } from '../__testUtils__/backend';
import { createTestDatabases } from '../__testUtils__/databases';
import { requestInput, tracingRequest } from '../__testUtils__/fixtures';
import { localClusterConfig, useSeededCluster } from '../__testUtils__/kube';
import { matchingRule, readAutoApproveRules } from './autoApprove';

jest.setTimeout(180_000);

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const RULE = {
  name: 'low-sampling-for-a-day',
  clusters: ['loc*'],
  methods: ['ebpf'],
  maxRatio: 0.1,
  maxDuration: { days: 1 },
  lifecycles: ['production'],
};

const read = (rules: JsonObject[]) =>
  readAutoApproveRules(new ConfigReader({ tracing: { autoApprove: rules } }), {
    clusterNames: ['local', 'prod-eu'],
    maxDurationMs: 30 * DAY,
  });

describe('tracing.autoApprove rules', () => {
  it.each([
    [{ ...RULE, name: undefined }, 'tracing.autoApprove[0].name: required'],
    [
      { ...RULE, clusters: ['dev-*'] },
      '[low-sampling-for-a-day].clusters: dev-* matches no configured cluster (local, prod-eu)',
    ],
    [
      { ...RULE, methods: ['zipkin'] },
      '.methods: zipkin is not one of ebpf, prometheus',
    ],
    [
      { ...RULE, maxRatio: 1.5 },
      '.maxRatio: must be between 0 and 1 (got 1.5)',
    ],
    [{ ...RULE, maxRatio: undefined }, '.maxRatio: required'],
    [{ ...RULE, maxDuration: undefined }, '.maxDuration: required'],
    [
      { ...RULE, maxDuration: { days: 60 } },
      '.maxDuration: must be more than 0 and at most tracing.maxDuration',
    ],
  ])('refuses %j at start-up, naming the rule', (rule, message) => {
    expect(() => read([rule])).toThrow(message);
  });

  it('refuses two rules of one name', () => {
    expect(() => read([RULE, RULE])).toThrow(
      'tracing.autoApprove[low-sampling-for-a-day].name: another rule has this name',
    );
  });

  it('matches only a verified own target within every limit', () => {
    const rules = read([RULE]);
    const now = Date.parse('2026-11-27T12:00:00Z');
    const matching = tracingRequest('r', {
      cluster: 'local',
      sampling: { sampler: 'parentbased_traceidratio', ratio: 0.1 },
      expiresAt: new Date(now + 12 * HOUR).toISOString(),
      targetCheck: { result: 'verified', owned: true, at: '' },
    });
    const match = (change: Partial<TracingRequest>, lifecycle = 'production') =>
      matchingRule(rules, { ...matching, ...change }, lifecycle, now)?.name;
    expect(match({})).toBe('low-sampling-for-a-day');
    expect(match({ cluster: 'prod-eu' })).toBeUndefined();
    expect(match({ method: 'prometheus' })).toBeUndefined();
    expect(
      match({ sampling: { sampler: 'always_on', ratio: 0.01 } }),
    ).toBeUndefined();
    expect(
      match({ expiresAt: new Date(now + 2 * DAY).toISOString() }),
    ).toBeUndefined();
    expect(match({}, 'experimental')).toBeUndefined();
    expect(
      match({ targetCheck: { result: 'not-verified', at: '' } }),
    ).toBeUndefined();
    expect(
      match({
        targetCheck: {
          result: 'verified',
          owned: false,
          anyTarget: true,
          at: '',
        },
      }),
    ).toBeUndefined();
  });
});

describe('auto-approval through the API', () => {
  const databases = createTestDatabases();
  const kube = useSeededCluster();

  it('a bad rule stops the backend with a message naming it', async () => {
    await expect(
      startTracingBackend({
        knex: await databases.init('SQLITE_3'),
        tracing: {
          autoApprove: [{ ...RULE, maxRatio: 2 }],
          clusters: [localClusterConfig(kube.cluster, { token: kube.token })],
        },
      }),
    ).rejects.toThrow(
      'tracing.autoApprove[low-sampling-for-a-day].maxRatio: must be between 0 and 1 (got 2)',
    );
  });

  it.each(databases.eachSupportedId())(
    'approves a matching request at once as tracegate:policy, on %s',
    async databaseId => {
      const backend = await startTracingBackend({
        knex: await databases.init(databaseId),
        tracing: {
          autoApprove: [RULE],
          clusters: [
            localClusterConfig(kube.cluster, {
              token: kube.token,
              // Each database's backend keeps its own Beyla objects.
              config: {
                beyla: {
                  namespace: `beyla-${databaseId
                    .toLowerCase()
                    .replace('_', '-')}`,
                },
              },
            }),
          ],
        },
      });
      const input = (change: Parameters<typeof requestInput>[0] = {}) =>
        requestInput({
          sampling: { sampler: 'parentbased_traceidratio', ratio: 0.1 },
          expiresAt: new Date(Date.now() + 12 * HOUR).toISOString(),
          ...change,
        });

      // More than the rule's ratio: to the queue.
      const tooMuch = await backend.post(
        '/requests',
        input({
          sampling: { sampler: 'parentbased_traceidratio', ratio: 0.5 },
        }),
        'alice',
      );
      expect(tooMuch.status).toBe(201);
      expect(tooMuch.body.status).toBe('pending');
      expect(
        (await backend.post(`/requests/${tooMuch.body.id}/cancel`, {}, 'alice'))
          .status,
      ).toBe(200);

      // A week: too long for the rule; the preview says no rule applies.
      const week = input({
        expiresAt: new Date(Date.now() + 7 * DAY).toISOString(),
      });
      const weekPreview = await backend.post(
        '/requests/preview',
        week,
        'alice',
      );
      expect(weekPreview.status).toBe(200);
      expect(weekPreview.body.autoApproval).toBeUndefined();

      // Lowered to 12 hours: the preview names the rule, and filing approves.
      const preview = await backend.post('/requests/preview', input(), 'alice');
      expect(preview.body.autoApproval).toEqual({ rule: RULE.name });
      const filed = await backend.post('/requests', input(), 'alice');
      expect(filed.status).toBe(201);
      expect(filed.body.status).toBe('approved');
      expect(filed.body.decision).toMatchObject({
        by: 'tracegate:policy',
        comment: `approved automatically by rule ${RULE.name}`,
      });
      const { body } = await backend.get(`/requests/${filed.body.id}`, 'alice');
      expect(
        body.history.map((h: any) => [h.from, h.to, h.actor, h.comment]),
      ).toEqual([
        [null, 'pending', 'user:default/alice', undefined],
        [
          'pending',
          'approved',
          'tracegate:policy',
          `approved automatically by rule ${RULE.name}`,
        ],
      ]);
    },
  );
});
