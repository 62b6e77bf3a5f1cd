/*
 * yarn bench:approve-to-active
 *
 * Approve → applied → active on the local control plane with 3 KWOK nodes
 * (pods start as soon as KWOK sees them: this measures Tracegate and the
 * Kubernetes controllers, not a real Beyla's start-up). Ten approvals, one
 * after the other, each for another workload, so each one rolls the
 * DaemonSet. Prints the median and the slowest, in milliseconds.
 */
import { mockServices } from '@backstage/backend-test-utils';
import {
  createTracegateServiceAccount,
  seedPlatform,
  startControlPlane,
} from '@internal/local-kube';
import Knex from 'knex';
import { quietAuditor, quietLogger } from './quiet';
import { ClusterRegistry } from '../plugins/tracing-backend/src/clusters/ClusterRegistry';
import { DatabaseTracingRequestStore } from '../plugins/tracing-backend/src/database/DatabaseTracingRequestStore';
import { RequestTransitions } from '../plugins/tracing-backend/src/lifecycle/RequestTransitions';
import { Reconciler } from '../plugins/tracing-backend/src/reconcile/Reconciler';
import {
  NEW_REQUEST,
  testClusterSettings,
} from '../plugins/tracing-backend/src/__testUtils__/fixtures';

const RUNS = 10;

async function main() {
  const cluster = await startControlPlane({ nodes: 3 });
  try {
    await seedPlatform(cluster);
    const token = await createTracegateServiceAccount(cluster);
    const knex = Knex({
      client: 'better-sqlite3',
      connection: ':memory:',
      useNullAsDefault: true,
    });
    const store = await DatabaseTracingRequestStore.create({
      database: mockServices.database({ knex }),
    });
    const logger = quietLogger;
    const auditor = quietAuditor;
    const settings = testClusterSettings({
      url: cluster.url,
      serviceAccountToken: token,
      caData: Buffer.from(cluster.caData).toString('base64'),
    });
    const reconciler = new Reconciler({
      store,
      clusters: new ClusterRegistry([settings]),
      transitions: new RequestTransitions({
        store,
        auditor,
        logger,
      }),
      logger,
      rolloutPollMs: 100,
    });
    const applied: number[] = [];
    const active: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const filed = await store.create(
        {
          ...NEW_REQUEST,
          workload: { kind: 'Deployment', name: `bench-${i}` },
        },
        { actor: 'bench', at: new Date().toISOString() },
      );
      const start = performance.now();
      await store.transition({
        id: filed.id,
        from: 'pending',
        to: 'approved',
        actor: 'bench',
        at: new Date().toISOString(),
      });
      await reconciler.reconcile('local');
      applied.push(performance.now() - start);
      for (;;) {
        const request = await store.get(filed.id);
        if (request?.status === 'active') break;
        if (request?.status === 'failed')
          throw new Error(request.lastApply?.error);
        await new Promise(r => setTimeout(r, 20));
      }
      active.push(performance.now() - start);
    }
    reconciler.stop();
    const median = (xs: number[]) =>
      [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const max = (xs: number[]) => Math.max(...xs);
    const row = (name: string, xs: number[]) =>
      `${name.padEnd(22)} median ${median(xs)
        .toFixed(0)
        .padStart(5)} ms   max ${max(xs).toFixed(0).padStart(5)} ms`;
    process.stdout.write(
      `approve → applied / active, ${RUNS} approvals, 3 KWOK nodes\n${row(
        'approve → applied',
        applied,
      )}\n${row('approve → active', active)}\n`,
    );
    await knex.destroy();
  } finally {
    await cluster.stop();
  }
}

main().catch(error => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
