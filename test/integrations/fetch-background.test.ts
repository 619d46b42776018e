// withFetchMetrics on long-lived servers with no waitUntil (Deno.serve, Bun.serve): the background-flush
// rule of src/integrations/fetch-context.ts, with the runtime's globals stubbed. The real runtimes:
// test/runtimes/.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMetrics, type MetricsError, type Transport } from '../../src/index.js';
import { isLongLivedServer } from '../../src/integrations/fetch-context.js';
import { flushMetrics, withFetchMetrics } from '../../src/integrations/fetch-handler.js';
import { createMemoryTransport, type RecordedRequest } from '../../src/testing.js';
import { T0, testClock } from '../helpers/clock.js';
import { seriesOf } from '../helpers/wire.js';

/** Holds every send until `release()`; `started` counts the sends that reached it. */
function gated(inner = createMemoryTransport()) {
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const state = { started: 0 };
  const transport: Transport = {
    send: async (request, signal) => {
      state.started++;
      await gate;
      return inner.send(request, signal);
    },
  };
  return { transport, inner, state, release: () => release() };
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

/** A `Deno` global as far as the rule reads it: env access granted or not. */
function denoGlobal(vars: Record<string, string>, state: 'granted' | 'prompt' = 'granted') {
  const get = vi.fn((name: string) => vars[name]);
  return { env: { get }, permissions: { querySync: () => ({ state }) }, get };
}

const until = async (check: () => boolean): Promise<void> => {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 1));
};

afterEach(() => {
  vi.unstubAllGlobals();
  vi.unstubAllEnvs();
});

describe('the background-flush rule', () => {
  it('holds on Deno and Bun, not on Node, and never on Lambda', () => {
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', '');
    expect(isLongLivedServer()).toBe(false); // Node
    vi.stubGlobal('Bun', {});
    expect(isLongLivedServer()).toBe(true);
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'checkout');
    expect(isLongLivedServer()).toBe(false);
    vi.unstubAllGlobals();
    vi.stubGlobal('Deno', denoGlobal({}));
    expect(isLongLivedServer()).toBe(true);
    vi.stubGlobal('Deno', denoGlobal({ AWS_LAMBDA_FUNCTION_NAME: 'checkout' }));
    expect(isLongLivedServer()).toBe(false);
  });

  it('on Deno without env access: no read (no permission prompt), taken as a server', () => {
    const deno = denoGlobal({ AWS_LAMBDA_FUNCTION_NAME: 'checkout' }, 'prompt');
    vi.stubGlobal('Deno', deno);
    expect(isLongLivedServer()).toBe(true);
    expect(deno.get).not.toHaveBeenCalled();
  });
});

describe('withFetchMetrics on a Deno or Bun server', () => {
  it('returns the response before the flush is answered, and the flush still delivers', async () => {
    vi.stubGlobal('Deno', denoGlobal({}));
    const { transport, inner, state, release } = gated();
    const { metrics } = setup(transport);
    const server = withFetchMetrics(metrics, {
      fetch(_request: Request, _info: { remoteAddr: unknown }) {
        metrics.increment('requests');
        return new Response('ok');
      },
    });
    const res = await server.fetch(new Request('http://d/'), { remoteAddr: {} });
    expect(await res.text()).toBe('ok');
    expect(inner.requests).toHaveLength(0);
    await until(() => state.started > 0); // started without anyone awaiting it
    release();
    await until(() => inner.requests.length > 0);
    expect(seriesOf(inner.requests)[0]?.points).toEqual([[T0, 1]]);
  });

  it('Bun.serve calls fetch(request, server) with the server as `this`: background too', async () => {
    vi.stubGlobal('Bun', {});
    const { transport, inner, state, release } = gated();
    const { metrics } = setup(transport);
    const handler = withFetchMetrics(metrics, {
      fetch(_request: Request, _server: unknown) {
        metrics.increment('requests');
        return new Response('ok');
      },
    });
    const bunServer = { port: 1, upgrade: () => false };
    const res = await handler.fetch.call(bunServer, new Request('http://b/'), bunServer);
    expect(res.status).toBe(200);
    await until(() => state.started > 0);
    expect(inner.requests).toHaveLength(0);
    release();
    await until(() => inner.requests.length > 0);
  });

  it("flush: 'await', a Lambda context or AWS_LAMBDA_FUNCTION_NAME keep the flush in the response path", async () => {
    vi.stubGlobal('Bun', {});
    const lambdaContext = { getRemainingTimeInMillis: () => 3000 };
    const cases = [
      { options: { flush: 'await' as const }, args: [] as unknown[] },
      { options: {}, args: [lambdaContext] },
      { options: {}, args: [], lambda: 'checkout' },
    ];
    for (const c of cases) {
      vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', c.lambda ?? '');
      const transport = createMemoryTransport();
      const { metrics } = setup(transport);
      const handler = withFetchMetrics(
        metrics,
        {
          fetch(_request: Request, ..._rest: unknown[]) {
            metrics.increment('requests');
            return new Response('ok');
          },
        },
        c.options,
      );
      await handler.fetch(new Request('http://b/'), ...c.args);
      expect(transport.requests, JSON.stringify(c)).toHaveLength(1);
    }
  });

  it('on Node with no execution context the flush is awaited (unchanged)', async () => {
    const transport = createMemoryTransport();
    const { metrics } = setup(transport);
    const handler = withFetchMetrics(metrics, {
      fetch(_request: Request) {
        metrics.increment('requests');
        return new Response('ok');
      },
    });
    await handler.fetch(new Request('http://n/'));
    expect(transport.requests).toHaveLength(1);
  });

  it('a failed background flush never rejects: onError gets it, the data goes with the next flush', async () => {
    vi.stubGlobal('Deno', denoGlobal({}));
    let status = 503;
    const accepted: RecordedRequest[] = [];
    const transport = createMemoryTransport({
      respond: (request) => {
        if (status === 202) accepted.push(request);
        return status;
      },
    });
    const { metrics, errors } = setup(transport);
    const handler = withFetchMetrics(
      metrics,
      {
        fetch(_request: Request) {
          metrics.increment('requests');
          return new Response('ok');
        },
      },
      { flushTimeoutMs: 50 }, // the 503s are retried until the deadline
    );
    await handler.fetch(new Request('http://d/'));
    await until(() => errors.length > 0);
    status = 202;
    await handler.fetch(new Request('http://d/'));
    await until(() => accepted.length > 0);
    expect(seriesOf(accepted).flatMap((s) => s.points)).toEqual([[T0, 2]]);
  });

  it('a method decorated with flushMetrics keeps its arity too (Deno.serve reads it)', () => {
    const { metrics } = setup();
    const fetch = (_request: Request, _info: unknown) => new Response('ok');
    const context = { kind: 'method', name: 'fetch' } as ClassMethodDecoratorContext;
    const decorated = (flushMetrics(metrics) as (m: unknown, c: unknown) => unknown)(fetch, context);
    expect((decorated as typeof fetch).length).toBe(2);
  });

  it("uses the platform's global EdgeRuntime.waitUntil where there is one (Supabase Edge Functions)", async () => {
    vi.stubGlobal('Deno', denoGlobal({}));
    const waited: Promise<unknown>[] = [];
    vi.stubGlobal('EdgeRuntime', { waitUntil: (p: Promise<unknown>) => void waited.push(p) });
    const transport = createMemoryTransport();
    const { metrics } = setup(transport);
    const handler = withFetchMetrics(metrics, {
      fetch(_request: Request) {
        metrics.increment('requests');
        return new Response('ok');
      },
    });
    await handler.fetch(new Request('http://s/'));
    expect(waited).toHaveLength(1);
    await Promise.all(waited);
    expect(transport.requests).toHaveLength(1);
  });
});

describe('flusher: a run queued behind another (background flushes meet it on every busy server)', () => {
  // Before the fix a caller queued behind a run (`next`) was stranded when another caller arrived after
  // that run ended but before the queued run started: the newcomer started a run of its own, the queued
  // one never started, and its caller waited for its deadline and reported DEADLINE_EXCEEDED.
  it('back-to-back flushes, a few microtasks apart, all succeed', async () => {
    for (let gap = 0; gap <= 8; gap++) {
      const { metrics } = setup();
      const flushes: Promise<unknown>[] = [];
      for (const name of ['a', 'b', 'c']) {
        metrics.increment(name);
        flushes.push(metrics.flush({ timeoutMs: 200 }));
        for (let i = 0; i < gap; i++) await Promise.resolve();
      }
      const outcomes = await Promise.allSettled(flushes);
      expect(
        outcomes.map((o) => o.status),
        `${gap} microtasks apart`,
      ).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    }
  });
});
