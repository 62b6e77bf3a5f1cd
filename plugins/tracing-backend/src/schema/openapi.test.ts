import { mockServices } from '@backstage/backend-test-utils';
import express from 'express';
import { createRouter, RouterOptions } from '../router';
import {
  startTracingBackend,
  TracingTestBackend,
} from '../__testUtils__/backend';
import { unreachableCluster } from '../__testUtils__/fixtures';
import { spec } from './openapi/generated/router';

type Layer = {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
};

/** Every `METHOD /path` the router serves, in the spec's `{param}` form. */
function servedRoutes(router: express.Router): string[] {
  const walk = (stack: Layer[]): string[] =>
    stack.flatMap(layer => {
      if (layer.route) {
        return Object.keys(layer.route.methods).map(
          method =>
            `${method.toUpperCase()} ${layer.route!.path.replace(
              /:(\w+)/g,
              '{$1}',
            )}`,
        );
      }
      return layer.handle?.stack ? walk(layer.handle.stack) : [];
    });
  return walk((router as unknown as { stack: Layer[] }).stack);
}

function documentedRoutes(): string[] {
  return Object.entries(spec.paths).flatMap(([path, item]) =>
    Object.keys(item).map(method => `${method.toUpperCase()} ${path}`),
  );
}

describe('the HTTP contract (schema/openapi.yaml)', () => {
  it('documents every route the router serves, and nothing else', async () => {
    // Binding the routes calls none of the services.
    const router = await createRouter({
      logger: mockServices.logger.mock(),
    } as unknown as RouterOptions);
    const served = servedRoutes(router).filter(
      // The spec itself, served by Backstage's OpenAPI router.
      route => route !== 'GET /openapi.json',
    );
    expect(served.sort()).toEqual(documentedRoutes().sort());
    expect(served).toHaveLength(17);
  });

  let backend: TracingTestBackend;
  beforeAll(async () => {
    backend = await startTracingBackend({
      tracing: { clusters: [unreachableCluster()] },
    });
  });

  it('answers 404 for a path it does not serve', async () => {
    const res = await backend.get(
      '/requests/00000000-0000-4000-8000-000000000000/logs',
    );
    expect(res.status).toBe(404);
  });

  it('serves the contract itself at /openapi.json', async () => {
    const res = await backend.get('/openapi.json');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.paths)).toContain('/api/tracing/requests/{id}');
  });
});
