import { ResponseError } from '@backstage/errors';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import {
  createRequestTracingAction,
  REQUEST_TRACING_ACTION_ID,
} from './requestTracingAction';

/** The step's context as the scaffolder gives it, for the parts used. */
function context(input: object, isDryRun = false) {
  const outputs: Record<string, unknown> = {};
  return {
    outputs,
    ctx: {
      input,
      isDryRun,
      logger: mockServices.logger.mock(),
      output: (key: string, value: unknown) => (outputs[key] = value),
      getInitiatorCredentials: async () =>
        mockCredentials.user('user:default/alice'),
    } as any,
  };
}

describe('tracing:request', () => {
  it("runs Tracegate's request-tracing as the template's initiator, and gives its outputs", async () => {
    const invoke = jest.fn(async () => ({
      output: {
        id: 'r1',
        status: 'pending',
        target: 'Deployment shop/checkout',
        link: 'https://backstage.example.com/catalog/default/component/checkout/tracing',
      },
    }));
    const action = createRequestTracingAction({ actions: { invoke } });
    const { ctx, outputs } = context({
      entityRef: 'component:default/checkout',
      workloadKind: 'Deployment',
      workloadName: 'checkout',
      namespace: 'shop',
      reason: 'first day in production',
    });
    await action.handler(ctx);
    expect(invoke).toHaveBeenCalledWith({
      id: REQUEST_TRACING_ACTION_ID,
      input: {
        entityRef: 'component:default/checkout',
        workload: { kind: 'Deployment', name: 'checkout' },
        namespace: 'shop',
        reason: 'first day in production',
        dryRun: false,
      },
      credentials: mockCredentials.user('user:default/alice'),
    });
    expect(outputs).toEqual({
      id: 'r1',
      status: 'pending',
      target: 'Deployment shop/checkout',
      link: 'https://backstage.example.com/catalog/default/component/checkout/tracing',
    });
  });

  it('on a dry run, asks for the preview and files nothing', async () => {
    const invoke = jest.fn(async () => ({
      output: {
        target: 'Deployment shop/checkout',
        link: 'l',
        preview: { objects: ['DaemonSet beyla/beyla'] },
      },
    }));
    const action = createRequestTracingAction({ actions: { invoke } });
    const { ctx, outputs } = context(
      { entityRef: 'component:default/checkout', reason: 'r' },
      true,
    );
    await action.handler(ctx);
    expect((invoke.mock.calls[0] as any[])[0].input.dryRun).toBe(true);
    expect(outputs).toEqual({ target: 'Deployment shop/checkout', link: 'l' });
  });

  it('fails the step with the refusal of the tracing backend, in its words', async () => {
    // What the actions service throws for a refused action: a ResponseError
    // built from the HTTP answer, whose own message is only the status.
    const refusal = await ResponseError.fromResponse(
      new Response(
        JSON.stringify({
          error: {
            name: 'NotAllowedError',
            message: 'You may not create this tracing request',
          },
          request: { method: 'POST', url: '/' },
          response: { statusCode: 403 },
        }),
        {
          status: 403,
          statusText: 'Forbidden',
          headers: { 'content-type': 'application/json' },
        },
      ),
    );
    expect(refusal.message).toBe('Request failed with 403 Forbidden');
    const invoke = jest.fn(async () => {
      throw refusal;
    });
    const action = createRequestTracingAction({ actions: { invoke } });
    const { ctx, outputs } = context({
      entityRef: 'component:default/checkout',
      reason: 'r',
    });
    await expect(action.handler(ctx)).rejects.toThrow(
      '403 NotAllowedError: You may not create this tracing request',
    );
    expect(outputs).toEqual({});
  });

  it('refuses a workload kind without its name before calling anything', async () => {
    const invoke = jest.fn();
    const action = createRequestTracingAction({ actions: { invoke } });
    const { ctx } = context({
      entityRef: 'component:default/checkout',
      workloadKind: 'Deployment',
      reason: 'r',
    });
    await expect(action.handler(ctx)).rejects.toThrow(
      'workloadKind and workloadName go together',
    );
    expect(invoke).not.toHaveBeenCalled();
  });
});
