import { HttpAuthService } from '@backstage/backend-plugin-api';
import { TracingHealth } from '@tracegate/plugin-tracing-common';
import express from 'express';
import Router from 'express-promise-router';

/** @internal */
export type RouterOptions = {
  httpAuth: HttpAuthService;
};

/** @internal */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const router = Router();
  router.use(express.json());
  bindHealthEndpoint(router, options);
  return router;
}

function bindHealthEndpoint(
  router: express.Router,
  { httpAuth }: RouterOptions,
) {
  router.get('/health', async (req, res) => {
    // Any authenticated caller, user or service; anonymous callers get 401.
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    const body: TracingHealth = { status: 'ok' };
    res.json(body);
  });
}
