import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createMetrics, type Metrics } from '../../src/index.js';
import { flushMetrics, metricsPerIsolate, withFetchMetrics } from '../../src/integrations/fetch-handler.js';
import { withMetrics } from '../../src/integrations/lambda.js';
import { metricsMiddleware } from '../../src/integrations/middy.js';
import { createMemoryTransport } from '../../src/testing.js';
import { testClock } from '../helpers/clock.js';
import { anything, booby, expectNoPollution, weirdString } from './arbitraries.js';

function client(): Metrics {
  return createMetrics({
    transport: createMemoryTransport(),
    now: testClock(),
    flushInterval: 0,
    flushTimeoutMs: 200,
    onError: () => {},
  });
}

/** Construction may refuse options with a TypeError/RangeError, nothing else. */
function construct<T>(make: () => T): T | undefined {
  try {
    return make();
  } catch (error) {
    expect(error instanceof TypeError || error instanceof RangeError).toBe(true);
    return undefined;
  }
}

const integrationOptions = fc.oneof(
  anything(),
  fc.record(
    {
      deadlineMarginMs: fc.oneof(fc.integer({ min: -5, max: 2000 }), anything()),
      flushTimeoutMs: fc.oneof(fc.integer({ min: -5, max: 2000 }), anything()),
      coldStartMetric: fc.oneof(weirdString, anything()),
      flush: fc.oneof(fc.constantFrom('waitUntil', 'await'), anything()),
    },
    { requiredKeys: [] },
  ),
);

/** A Lambda context as a caller might hand-make one, down to one whose methods or fields throw. */
const lambdaContext = fc.oneof(
  anything(),
  booby,
  fc.record({
    getRemainingTimeInMillis: fc.oneof(
      fc.integer({ min: -1000, max: 10_000 }).map((v) => () => v),
      anything().map((v) => () => v),
      fc.constant(() => {
        throw new Error('context is gone');
      }),
    ),
    awsRequestId: anything(),
  }),
);

const outcome = fc.record({ value: anything(), throws: fc.boolean() });
type Outcome = { value: unknown; throws: boolean };
async function settle(p: () => unknown): Promise<Outcome> {
  try {
    return { value: await p(), throws: false };
  } catch (error) {
    return { value: error, throws: true };
  }
}
const act = (o: Outcome): unknown => {
  if (o.throws) throw o.value;
  return o.value;
};

afterAll(expectNoPollution);

describe('hostile input: the integrations', () => {
  it("withMetrics: bad options refused at wrap time; any context and result: the handler's own outcome", async () => {
    const metrics = client();
    await fc.assert(
      fc.asyncProperty(integrationOptions, lambdaContext, outcome, async (options, context, o) => {
        const handler = construct(() => withMetrics(metrics, async () => act(o), options as never));
        if (handler === undefined) return;
        const started = performance.now();
        expect(await settle(() => handler({}, context as never))).toEqual(o);
        expect(performance.now() - started).toBeLessThan(2000);
      }),
      { numRuns: 200 },
    );
  });

  it('metricsMiddleware: bad options refused at creation; the hooks never throw, never touch response or error', async () => {
    const metrics = client();
    await fc.assert(
      fc.asyncProperty(
        integrationOptions,
        lambdaContext,
        anything(),
        anything(),
        async (options, context, response, error) => {
          const mw = construct(() => metricsMiddleware(metrics, options as never));
          if (mw === undefined) return;
          const request = { context: context as never, response, error };
          expect(() => mw.before(request)).not.toThrow();
          await expect(mw.after(request)).resolves.toBeUndefined();
          expect(request.response).toBe(response);
          await expect(mw.onError(request)).resolves.toBeUndefined();
          expect(request.error).toBe(error);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('withFetchMetrics/flushMetrics: bad options refused; any ctx and result: the handler outcome, a settled waitUntil', async () => {
    const metrics = client();
    // A ctx as the runtime gives it, or one whose waitUntil is missing, not a function, or throws.
    const ctx = fc.oneof(
      anything(),
      fc.constant('ok').map(() => ({ waits: [] as Promise<unknown>[] })),
      fc.constant({
        waitUntil: () => {
          throw new Error('context is done');
        },
      }),
    );
    await fc.assert(
      fc.asyncProperty(integrationOptions, ctx, outcome, async (options, c, o) => {
        const worker = construct(() =>
          withFetchMetrics(
            metrics,
            { fetch: async (_request: unknown, _env: unknown, _ctx: unknown) => act(o) },
            options as never,
          ),
        );
        const decorator = construct(() => flushMetrics(metrics, options as never));
        if (worker === undefined || decorator === undefined) return;
        const waits: Promise<unknown>[] = [];
        const context =
          typeof c === 'object' && c !== null && 'waits' in c
            ? { waitUntil: (p: Promise<unknown>) => void waits.push(p) }
            : c;
        expect(await settle(() => worker.fetch({} as never, {} as never, context as never))).toEqual(o);
        const method = async (): Promise<unknown> => act(o);
        const descriptor = decorator({}, 'fetch', { value: method, writable: true, configurable: true });
        const decorated = descriptor.value as (...args: unknown[]) => Promise<unknown>;
        expect(await settle(() => decorated({}, {}, context))).toEqual(o);
        for (const p of waits) await expect(p).resolves.toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });

  it('a per-isolate factory: called once; one that throws or returns a non-client (or nothing) never changes the response', async () => {
    const made = fc.oneof(fc.constant('client'), fc.constant('throws'), anything());
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await fc.assert(
      fc.asyncProperty(made, outcome, async (what, o) => {
        let calls = 0;
        const factory = (): Metrics => {
          calls++;
          if (what === 'client') return client();
          if (what === 'throws') throw new RangeError('handlerstats: option "x" is bad');
          return what as Metrics;
        };
        const worker = withFetchMetrics(
          metricsPerIsolate(factory),
          { fetch: async (_request: unknown, _env: unknown, _ctx: unknown) => act(o) },
          { flush: 'await' },
        );
        for (let i = 0; i < 3; i++)
          expect(await settle(() => worker.fetch({} as never, {} as never, {} as never))).toEqual(o);
        // Nothing usable (a throw, null, undefined) is not cached: the next request asks again.
        expect(calls).toBe(what === 'throws' || what === null || what === undefined ? 3 : 1);
      }),
      { numRuns: 150 },
    );
    expect(warn).toHaveBeenCalled(); // a throwing factory is reported, not silent
    warn.mockRestore();
  });

  it('the wrappers refuse what is not a handler with a TypeError', () => {
    const metrics = client();
    fc.assert(
      fc.property(anything(), (h) => {
        if (typeof h !== 'function') expect(() => withMetrics(metrics, h as never)).toThrow(TypeError);
        if (typeof h !== 'object' || h === null)
          expect(() => withFetchMetrics(metrics, h as never)).toThrow(TypeError);
        if (
          typeof h !== 'function' &&
          !(typeof h === 'object' && h !== null && typeof (h as Metrics).flush === 'function')
        )
          expect(() => withFetchMetrics(h as never, {})).toThrow(TypeError);
      }),
      { numRuns: 200 },
    );
  });
});
