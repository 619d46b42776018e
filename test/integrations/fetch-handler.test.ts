// withFetchMetrics with fake execution contexts. The real runtime: test/workerd/. flushMetrics:
// decorators-flush-metrics.test.ts.
import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import { createMetrics, type Metrics, type MetricsError, type Transport } from '../../src/index.js';
import { metricsPerIsolate, withFetchMetrics } from '../../src/integrations/fetch-handler.js';
import { createExecutionContext, createMemoryTransport } from '../../src/testing.js';
import { T0, testClock } from '../helpers/clock.js';
import { seriesOf } from '../helpers/wire.js';

type Env = { DD_API_KEY: string };
const env: Env = { DD_API_KEY: 'k' };

/** A module fetch handler, as the runtime calls it. */
type Fetch = (request: Request, env: Env, ctx: unknown) => Response | Promise<Response>;
const ok: Fetch = () => new Response('ok');

/** A fetch handler that records one count and answers 'ok'. */
const counting =
  (metrics: Metrics, name: string): Fetch =>
  () => {
    metrics.increment(name);
    return new Response('ok');
  };

/** A transport that holds every send until `release()`: shows what waits for the flush. */
function gated(inner = createMemoryTransport()) {
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const transport: Transport = {
    send: async (request, signal) => gate.then(() => inner.send(request, signal)),
  };
  return { transport, inner, release: () => release() };
}

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

describe('withFetchMetrics', () => {
  it('returns the response first and flushes through ctx.waitUntil', async () => {
    const { transport, inner, release } = gated();
    const { metrics } = setup(transport);
    const worker = withFetchMetrics(metrics, {
      async fetch(_request: Request, _env: Env, _ctx: unknown) {
        metrics.increment('requests');
        return new Response('ok');
      },
    });
    const ctx = createExecutionContext();
    const res = await worker.fetch(new Request('http://w/'), env, ctx);
    expect(await res.text()).toBe('ok');
    expect(ctx.waited).toHaveLength(1);
    expect(inner.requests).toHaveLength(0);
    release();
    await ctx.settled();
    expect(seriesOf(inner.requests)[0]?.points).toEqual([[T0, 1]]);
  });

  it('never rejects into waitUntil: a failed flush is reported through onError', async () => {
    const { metrics, errors } = setup(createMemoryTransport({ respond: () => 403 }));
    const worker = withFetchMetrics(metrics, { fetch: counting(metrics, 'c') });
    const ctx = createExecutionContext();
    await worker.fetch(new Request('http://w/'), env, ctx);
    expect(await ctx.settled()).toEqual([{ status: 'fulfilled', value: undefined }]);
    expect(errors.length).toBeGreaterThan(0);
  });

  it("rethrows the handler's own error (sync or async) unchanged, after handing over the flush", async () => {
    const { metrics } = setup();
    const boom = new TypeError('boom');
    const handlers: Fetch[] = [
      () => {
        throw boom;
      },
      async () => Promise.reject(boom),
    ];
    for (const fetch of handlers) {
      const ctx = createExecutionContext();
      const caught = await withFetchMetrics(metrics, { fetch })
        .fetch(new Request('http://w/'), env, ctx)
        .catch((e: unknown) => e);
      expect(caught).toBe(boom);
      expect(ctx.waited).toHaveLength(1);
    }
  });

  it("with flush: 'await', flushes before returning", async () => {
    const transport = createMemoryTransport();
    const { metrics } = setup(transport);
    const sent: number[] = [];
    const worker = withFetchMetrics(metrics, { fetch: counting(metrics, 'c') }, { flush: 'await' });
    const ctx = createExecutionContext();
    await worker.fetch(new Request('http://w/'), env, ctx).then(() => sent.push(transport.requests.length));
    expect(sent).toEqual([1]);
    expect(ctx.waited).toHaveLength(0);
  });

  it('calls a factory once per isolate with the env, and wraps scheduled and queue too', async () => {
    const transport = createMemoryTransport();
    const factory = vi.fn((e: Env) => createMetrics({ apiKey: e.DD_API_KEY, transport, flushInterval: 0 }));
    const metricsFor = metricsPerIsolate(factory);
    const email = () => 'untouched';
    const worker = withFetchMetrics(metricsFor, {
      fetch: (r: Request, e: Env, c: unknown) => counting(metricsFor(e), 'f')(r, e, c),
      scheduled: (_c: unknown, e: Env, _ctx: unknown) => metricsFor(e).increment('s'),
      queue: async (_b: unknown, e: Env, _ctx: unknown) => metricsFor(e).increment('q'),
      email,
      label: 'kept',
    });
    const ctx = createExecutionContext();
    await worker.fetch(new Request('http://w/'), env, ctx);
    await worker.scheduled({}, env, ctx);
    await worker.queue({}, env, ctx);
    await ctx.settled();
    expect(factory).toHaveBeenCalledTimes(1);
    expect(factory).toHaveBeenCalledWith(env);
    expect(ctx.waited).toHaveLength(3);
    expect(seriesOf(transport.requests).map((s) => s.metric)).toEqual(
      expect.arrayContaining(['f', 's', 'q']),
    );
    expect(worker.email).toBe(email);
    expect(worker.label).toBe('kept');
  });

  it('never lets metrics change the outcome: a throwing factory or waitUntil', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const worker = withFetchMetrics(
      () => {
        throw new RangeError('bad option');
      },
      { fetch: ok },
    );
    expect(await (await worker.fetch(new Request('http://w/'), env, createExecutionContext())).text()).toBe(
      'ok',
    );
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('bad option'));
    warn.mockRestore();
    const { metrics, errors } = setup();
    const closed = {
      waitUntil: () => {
        throw new Error('context closed');
      },
    };
    const res = await withFetchMetrics(metrics, { fetch: ok }).fetch(new Request('http://w/'), env, closed);
    expect(res.status).toBe(200);
    expect(errors.map((e) => e.message)).toContain('ctx.waitUntil refused the flush: context closed');
  });

  it('checks its arguments, naming what is wrong', () => {
    const { metrics } = setup();
    expect(() => withFetchMetrics(metrics, null as never)).toThrow(TypeError);
    expect(() => withFetchMetrics({} as Metrics, {})).toThrow(TypeError);
    expect(() => withFetchMetrics(metrics, {}, { flush: 'later' as never })).toThrow(/"flush"/);
    expect(() => withFetchMetrics(metrics, {}, { flushTimeoutMs: -1 })).toThrow(/"flushTimeoutMs"/);
  });

  it("keeps each handler's arity (Deno.serve calls a handler declaring no parameter with no request)", () => {
    const { metrics } = setup();
    const worker = withFetchMetrics(metrics, {
      fetch: (_r: Request, _e: Env, _c: unknown) => new Response('ok'),
      scheduled: (_c: unknown) => {},
      queue: () => {},
    });
    expect([worker.fetch.length, worker.scheduled.length, worker.queue.length]).toEqual([3, 1, 0]);
  });

  it('keeps the handler type, with the wrapped handlers async', () => {
    const worker = withFetchMetrics(setup().metrics, { fetch: (_r: Request) => new Response('ok'), n: 1 });
    expectTypeOf(worker.fetch).returns.toEqualTypeOf<Promise<Response>>();
    expectTypeOf(worker.n).toEqualTypeOf<number>();
  });
});
