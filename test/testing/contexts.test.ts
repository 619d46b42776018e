// createLambdaContext and createExecutionContext, alone and under the wrappers that read them.
import { describe, expect, it } from 'vitest';
import { createMetrics, type MetricsError } from '../../src/index.js';
import { withFetchMetrics } from '../../src/integrations/fetch-handler.js';
import { withMetrics } from '../../src/integrations/lambda.js';
import {
  createExecutionContext,
  createLambdaContext,
  createMemoryTransport,
  storeLikeDatadog,
} from '../../src/testing.js';
import { T0, testClock } from '../helpers/clock.js';

function setup() {
  const transport = createMemoryTransport();
  const errors: MetricsError[] = [];
  const metrics = createMetrics({
    transport,
    now: testClock(),
    flushInterval: 0,
    onError: (e) => errors.push(e),
  });
  return { transport, errors, metrics };
}

describe('createLambdaContext', () => {
  it('counts down from remainingMs on its clock, never below 0; fields shaped like the runtime', () => {
    let now = 1_000;
    const context = createLambdaContext({ remainingMs: 500, now: () => now, functionName: 'orders' });
    expect(context.getRemainingTimeInMillis()).toBe(500);
    now += 200;
    expect(context.getRemainingTimeInMillis()).toBe(300);
    now += 1_000;
    expect(context.getRemainingTimeInMillis()).toBe(0);
    expect(context).toMatchObject({
      functionName: 'orders',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:orders',
      logGroupName: '/aws/lambda/orders',
      memoryLimitInMB: '128',
      callbackWaitsForEmptyEventLoop: true,
    });
    expect(context.awsRequestId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(createLambdaContext().awsRequestId).not.toBe(context.awsRequestId);
    expect(createLambdaContext({ awsRequestId: 'req-1' }).getRemainingTimeInMillis()).toBeGreaterThan(2900);
    expect(() => context.succeed('x')).toThrow(/context.succeed\(\) is not emulated/);
  });

  it('is the deadline withMetrics flushes within: enough time sends, too little leaves it buffered', async () => {
    const { transport, errors, metrics } = setup();
    const handler = withMetrics(metrics, async () => {
      metrics.increment('orders');
      return { statusCode: 200 };
    });
    await expect(handler({}, createLambdaContext({ remainingMs: 3000 }))).resolves.toEqual({
      statusCode: 200,
    });
    expect(transport.requests).toHaveLength(1);
    await expect(handler({}, createLambdaContext({ remainingMs: 100 }))).resolves.toEqual({
      statusCode: 200,
    });
    expect(transport.requests).toHaveLength(1);
    expect(errors.map((e) => e.code)).toContain('DEADLINE_EXCEEDED');
  });
});

describe('createExecutionContext', () => {
  it('collects waitUntil promises; settled() waits for late ones too and reports outcomes, never rejects', async () => {
    const ctx = createExecutionContext({ tenant: 'a' });
    let late: () => void = () => {};
    ctx.waitUntil(Promise.reject(new Error('logged, not thrown')));
    ctx.waitUntil(
      new Promise<void>((resolve) => {
        late = () => {
          ctx.waitUntil(Promise.resolve('late'));
          resolve();
        };
      }),
    );
    setTimeout(() => late(), 5);
    const outcomes = await ctx.settled();
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
    expect(outcomes[2]).toEqual({ status: 'fulfilled', value: 'late' });
    expect(ctx.waited).toHaveLength(3);
    expect(ctx.passedThrough).toBe(false);
    ctx.passThroughOnException();
    expect(ctx.passedThrough).toBe(true);
    expect(ctx.props).toEqual({ tenant: 'a' });
  });

  it('is what withFetchMetrics hands the flush to: the response first, the data after settled()', async () => {
    const { transport, metrics } = setup();
    const worker = withFetchMetrics(metrics, {
      async fetch(request) {
        metrics.increment('requests', 1, { tags: { path: new URL(request.url).pathname } });
        return new Response('ok');
      },
    });
    const ctx = createExecutionContext();
    const response = await worker.fetch(new Request('https://shop.test/cart'), {}, ctx);
    expect(await response.text()).toBe('ok');
    expect(ctx.waited).toHaveLength(1);
    await ctx.settled();
    expect(storeLikeDatadog(transport.requests).value('requests', T0, { tags: ['path:/cart'] })).toBe(1);
  });
});
