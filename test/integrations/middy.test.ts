// metricsMiddleware against the real @middy/core (6.x): after, onError, early returns from any stack.
import middy from '@middy/core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { createMetrics, type MetricsError, type Transport } from '../../src/index.js';
import { type MetricsMiddlewareObj, metricsMiddleware } from '../../src/integrations/middy.js';
import { createMemoryTransport } from '../../src/testing.js';
import { T0, testClock } from '../helpers/clock.js';
import { seriesOf } from '../helpers/wire.js';

type Ctx = { getRemainingTimeInMillis: () => number; awsRequestId: string };
const context = (remainingMs = 3000): Ctx => {
  const end = performance.now() + remainingMs;
  return { getRemainingTimeInMillis: () => end - performance.now(), awsRequestId: 'req-1' };
};

function setup(transport: Transport = createMemoryTransport()) {
  const errors: MetricsError[] = [];
  const metrics = createMetrics({
    transport,
    now: testClock(),
    flushInterval: 0,
    onError: (e) => errors.push(e),
  });
  return { metrics, errors };
}

/** A transport that holds every send until `release()`: shows what waits for the flush. */
function gatedTransport() {
  const inner = createMemoryTransport();
  let open: () => void = () => {};
  let gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const transport: Transport = {
    send: async (request, signal) => {
      await gate;
      return inner.send(request, signal);
    },
  };
  return {
    transport,
    requests: inner.requests,
    release: () => open(),
    close: () => {
      gate = Promise.resolve();
      open();
    },
  };
}

// biome-ignore lint/suspicious/noExplicitAny: middy's own handler type is `any`-based
type AnyHandler = (event: any, context: any) => Promise<unknown>;
const invoke = (handler: AnyHandler, event: unknown = {}, ctx: Ctx = context()) => handler(event, ctx);

describe('metricsMiddleware with @middy/core', () => {
  it('flushes in `after`, before middy resolves, and passes the response through', async () => {
    const gated = gatedTransport();
    const { metrics } = setup(gated.transport);
    const response = { statusCode: 200 };
    const handler = middy(async (event: { n: number }) => {
      metrics.increment('calls', event.n);
      return response;
    }).use(metricsMiddleware(metrics));
    let settled = false;
    const pending = invoke(handler, { n: 2 }).then((r) => {
      settled = true;
      return r;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).toBe(false);
    gated.release();
    expect(await pending).toBe(response);
    expect(seriesOf(gated.requests)[0]?.points).toEqual([[T0, 2]]);
    gated.close();
    await invoke(handler, { n: 3 });
    expect(seriesOf(gated.requests)[1]?.points).toEqual([[T0, 5]]);
  });

  it("rethrows the handler's own error unchanged, after flushing (onError)", async () => {
    const transport = createMemoryTransport();
    const { metrics } = setup(transport);
    const boom = new TypeError('boom');
    const handler = middy(async () => {
      metrics.increment('failures');
      throw boom;
    }).use(metricsMiddleware(metrics));
    const caught = await invoke(handler).catch((e: unknown) => e);
    expect(caught).toBe(boom);
    expect(Object.keys(boom)).toEqual([]);
    expect(seriesOf(transport.requests)[0]?.metric).toBe('failures');
  });

  it('lets an error-handling middleware turn the error into a response', async () => {
    const transport = createMemoryTransport();
    const { metrics } = setup(transport);
    const handler = middy(async (): Promise<{ statusCode: number }> => {
      metrics.increment('failures');
      throw new Error('nope');
    })
      .onError(async (request) => {
        request.response = { statusCode: 500 };
      })
      .use(metricsMiddleware(metrics));
    await expect(invoke(handler)).resolves.toEqual({ statusCode: 500 });
    expect(transport.requests).toHaveLength(1);
  });

  it('still flushes when a later `before` returns early (cache hit): after hooks never run', async () => {
    const gated = gatedTransport();
    const { metrics } = setup(gated.transport);
    const cached = { statusCode: 200, body: 'cached' };
    let handlerRan = false;
    let seenAtEnd: PropertyDescriptor | undefined;
    const handler = middy(
      async () => {
        handlerRan = true;
      },
      {
        requestEnd: (request) => {
          seenAtEnd = Object.getOwnPropertyDescriptor(request, 'response');
        },
      },
    )
      .use(metricsMiddleware(metrics, { coldStartMetric: 'invocations' }))
      .before(() => {
        metrics.increment('cache.hit');
        return cached;
      });
    let settled = false;
    const pending = invoke(handler).then((r) => {
      settled = true;
      return r;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).toBe(false);
    gated.release();
    expect(await pending).toBe(cached);
    expect(handlerRan).toBe(false);
    expect(seriesOf(gated.requests).map((s) => s.metric)).toEqual(['cache.hit', 'invocations']);
    // Once flushed, `response` is a plain data property again for the rest of middy.
    expect(seenAtEnd).toMatchObject({ value: cached, writable: true });
  });

  it('flushes on an early return of `undefined` (request.earlyResponse, middy ≥ 6)', async () => {
    const transport = createMemoryTransport();
    const { metrics } = setup(transport);
    const handler = middy(async () => 'not reached')
      .use(metricsMiddleware(metrics))
      .before((request) => {
        metrics.increment('skipped');
        request.earlyResponse = undefined;
      });
    await expect(invoke(handler)).resolves.toBeUndefined();
    expect(seriesOf(transport.requests).map((s) => s.metric)).toEqual(['skipped']);
  });

  it('still flushes when an `after` hook that runs before ours returns early', async () => {
    const transport = createMemoryTransport();
    const { metrics } = setup(transport);
    const handler = middy(async () => {
      metrics.increment('calls');
      return 'raw';
    })
      .use(metricsMiddleware(metrics))
      .after(() => 'serialized');
    await expect(invoke(handler)).resolves.toBe('serialized');
    expect(seriesOf(transport.requests).map((s) => s.metric)).toEqual(['calls']);
  });

  it('still flushes when an `onError` hook that runs before ours returns a response', async () => {
    const transport = createMemoryTransport();
    const { metrics } = setup(transport);
    const handler = middy(async () => {
      metrics.increment('failures');
      throw new Error('nope');
    })
      .use(metricsMiddleware(metrics))
      .onError(() => ({ statusCode: 502 }));
    await expect(invoke(handler)).resolves.toEqual({ statusCode: 502 });
    expect(transport.requests).toHaveLength(1);
  });

  it('two clients, two middlewares: an early return flushes both', async () => {
    const [a, b] = [createMemoryTransport(), createMemoryTransport()];
    const one = setup(a).metrics;
    const two = setup(b).metrics;
    const handler = middy(async () => 'not reached')
      .use([metricsMiddleware(one), metricsMiddleware(two)])
      .before(() => {
        one.increment('x');
        two.increment('y');
        return 'early';
      });
    await expect(invoke(handler)).resolves.toBe('early');
    expect(seriesOf(a.requests).map((s) => s.metric)).toEqual(['x']);
    expect(seriesOf(b.requests).map((s) => s.metric)).toEqual(['y']);
  });

  it('records the cold start once per middleware instance', async () => {
    const transport = createMemoryTransport();
    const { metrics } = setup(transport);
    const handler = middy(async () => 'ok').use(
      metricsMiddleware(metrics, { coldStartMetric: 'invocations' }),
    );
    await invoke(handler);
    await invoke(handler);
    expect(seriesOf(transport.requests).map((s) => s.tags)).toEqual([
      ['cold_start:true'],
      ['cold_start:false'],
    ]);
  });

  it('never fails the invocation: no time left is reported and the data carried to the next one', async () => {
    const transport = createMemoryTransport();
    const { metrics, errors } = setup(transport);
    const handler = middy(async () => {
      metrics.increment('c');
      return 'ok';
    }).use(metricsMiddleware(metrics));
    await expect(invoke(handler, {}, context(100))).resolves.toBe('ok');
    expect(transport.requests).toHaveLength(0);
    expect(errors.map((e) => e.code)).toEqual(['DEADLINE_EXCEEDED']);
    await invoke(handler);
    expect(seriesOf(transport.requests)[0]?.points).toEqual([[T0, 2]]);
  });

  it('a failing intake is reported; the response is returned', async () => {
    const { metrics, errors } = setup(createMemoryTransport({ respond: () => 400 }));
    const handler = middy(async () => {
      metrics.increment('c');
      return 'ok';
    }).use(metricsMiddleware(metrics));
    await expect(invoke(handler)).resolves.toBe('ok');
    expect(errors.length).toBeGreaterThan(0);
  });

  it('validates its options', () => {
    const { metrics } = setup();
    expect(() => metricsMiddleware(metrics, { deadlineMarginMs: -1 })).toThrow(RangeError);
    expect(() => metricsMiddleware(metrics, { flushTimeoutMs: Number.NaN })).toThrow(/flushTimeoutMs/);
    expect(() => metricsMiddleware(metrics, { coldStartMetric: 3 as unknown as string })).toThrow(TypeError);
  });

  it('accepts a request whose context is an interface, as @types/aws-lambda declares Context', () => {
    interface Context {
      functionName: string;
      getRemainingTimeInMillis(): number;
    }
    interface Request {
      event: { n: number };
      context: Context;
      response: { statusCode: number } | null;
      error: Error | null;
      internal: Record<string, unknown>;
    }
    const mw = metricsMiddleware(setup().metrics);
    expectTypeOf(mw.before).toExtend<(request: Request) => unknown>();
    expectTypeOf(mw.onError).toExtend<(request: Request) => unknown>();
  });

  it("fits middy's own MiddlewareObj type", () => {
    const { metrics } = setup();
    const mw = metricsMiddleware(metrics);
    expectTypeOf(mw).toEqualTypeOf<MetricsMiddlewareObj>();
    expectTypeOf(mw).toExtend<middy.MiddlewareObj<{ n: number }, { statusCode: number }>>();
    const handler = middy<{ n: number }, { statusCode: number }>(async () => ({ statusCode: 200 })).use(mw);
    expectTypeOf(handler).toBeFunction();
  });
});
