import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import { waitUntil } from './wait';

type Server = Parameters<typeof request>[0];

/**
 * Triggers one of the tracing plugin's scheduled tasks through the
 * scheduler's own HTTP API and resolves once a run that started after the
 * trigger has ended: "after another pass" as an event, not a sleep.
 */
export async function afterAnotherRun(server: Server, taskId: string) {
  const base = '/api/tracing/.backstage/scheduler/v1/tasks';
  const auth = mockCredentials.service.header();
  const since = Date.now();
  // A run in progress refuses the trigger (409): ask again until it takes.
  await waitUntil(`${taskId} to take a trigger`, async () => {
    const res = await request(server)
      .post(`${base}/${taskId}/trigger`)
      .set('Authorization', auth);
    if (res.status !== 200 && res.status !== 409) {
      throw new Error(`triggering ${taskId}: ${res.status} ${res.text}`);
    }
    return res.status === 200;
  });
  await waitUntil(`${taskId} to run again`, async () => {
    const res = await request(server).get(base).set('Authorization', auth);
    const task = res.body.tasks?.find(
      (t: { taskId: string }) => t.taskId === taskId,
    );
    const endedAt = task?.taskState?.lastRunEndedAt;
    return Boolean(endedAt && Date.parse(endedAt) > since);
  });
}
