import {
  mockCredentials,
  startTestBackend,
} from '@backstage/backend-test-utils';
import request from 'supertest';
import { tracingPlugin } from './plugin';

describe('tracingPlugin', () => {
  it('answers /health to a signed-in user', async () => {
    const { server } = await startTestBackend({ features: [tracingPlugin] });

    const res = await request(server)
      .get('/api/tracing/health')
      .set('Authorization', mockCredentials.user.header());

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('answers /health to another backend plugin', async () => {
    const { server } = await startTestBackend({ features: [tracingPlugin] });

    const res = await request(server)
      .get('/api/tracing/health')
      .set('Authorization', mockCredentials.service.header());

    expect(res.status).toBe(200);
  });

  it('refuses /health without credentials', async () => {
    const { server } = await startTestBackend({ features: [tracingPlugin] });

    const res = await request(server)
      .get('/api/tracing/health')
      .set('Authorization', mockCredentials.none.header());

    expect(res.status).toBe(401);
    expect(res.body.error.name).toBe('AuthenticationError');
  });
});
