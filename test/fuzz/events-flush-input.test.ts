import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createMetrics, isMetricsError, type Metrics, type MetricsOptions } from '../../src/index.js';
import { parseEvent } from '../../src/intake/payloads.js';
import { createMemoryTransport, type MemoryTransport } from '../../src/testing.js';
import { testClock } from '../helpers/clock.js';
import { lastWriteWins, seriesOf } from '../helpers/wire.js';
import { anything, BoobyError, booby, expectNoPollution, weirdString } from './arbitraries.js';

function client(options: MetricsOptions = {}): { metrics: Metrics; transport: MemoryTransport } {
  const transport = createMemoryTransport();
  const metrics = createMetrics({
    transport,
    now: testClock(),
    flushInterval: 0,
    onError: () => {},
    ...options,
  });
  return { metrics, transport };
}
/** Errors that mean something was dropped (an EVENT_FIELD report is a cleaned field of a queued event). */
const errorTotal = (m: Metrics): number =>
  Object.entries(m.stats().errors).reduce((a, [code, n]) => a + (code === 'EVENT_FIELD' ? 0 : n), 0);

afterAll(expectNoPollution);

describe('hostile input: event()', () => {
  // BigInt and values that throw when read included (test/regression/unexpected-input-uncounted.test.ts).
  const value = fc.oneof({ weight: 6, arbitrary: anything() }, { weight: 1, arbitrary: booby });
  const eventOptions = fc.oneof(
    value,
    fc.record(
      {
        tags: fc.oneof(fc.array(fc.oneof(weirdString, value), { maxLength: 5 }), value),
        dateHappened: value,
        alertType: fc.oneof(fc.constantFrom('error', 'warning', 'info', 'success'), value),
        priority: fc.oneof(fc.constantFrom('normal', 'low'), value),
        aggregationKey: value,
        sourceTypeName: value,
        host: value,
      },
      { requiredKeys: [] },
    ),
  );

  it('never throws; every call is queued or counted; what is sent is a valid event', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.oneof(weirdString, value), fc.oneof(weirdString, value), eventOptions), {
          maxLength: 20,
        }),
        async (calls) => {
          const { metrics, transport } = client();
          for (const [title, text, options] of calls) {
            const queued = metrics.stats().buffered;
            const counted = errorTotal(metrics);
            expect(() => metrics.event(title as string, text as string, options as never)).not.toThrow();
            expect(metrics.stats().buffered - queued + (errorTotal(metrics) - counted)).toBe(1);
          }
          const sent = metrics.stats().buffered;
          await metrics.flush();
          const events = transport.requests.filter((r) => r.path === '/api/v1/events');
          expect(events).toHaveLength(sent);
          for (const e of events) {
            // The local intake checks events the way Datadog's API does.
            expect(parseEvent(e.body).errors).toBeUndefined();
            const body = e.body as { date_happened: number; tags: string[] };
            expect(Number.isInteger(body.date_happened)).toBe(true);
            for (const tag of body.tags) expect(tag.length).toBeLessThanOrEqual(200);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the event queue stays bounded; what it pushes out is counted', () => {
    const { metrics } = client();
    for (let i = 0; i < 5000; i++) metrics.event(`e${i}`, 'x'.repeat(10_000), { tags: [`i:${i}`] });
    const s = metrics.stats();
    expect(s.buffered).toBe(1000);
    expect(s.dropped.overflow).toBe(4000);
  });
});

describe('hostile input: values that throw when read', () => {
  it('metric calls with such names, values or options never throw, and every point is recorded or dropped', () => {
    const methods = [
      'increment',
      'decrement',
      'gauge',
      'histogram',
      'timing',
      'distribution',
      'set',
    ] as const;
    const part = fc.oneof(booby, anything());
    const options = fc.oneof(
      booby,
      fc.record({ tags: part, timestamp: part, host: part }, { requiredKeys: [] }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...methods), fc.oneof(weirdString, part), part, options), {
          maxLength: 20,
        }),
        (calls) => {
          const { metrics } = client();
          for (const [method, name, value, opts] of calls)
            expect(() =>
              (metrics[method] as (n: unknown, v: unknown, o: unknown) => void)(name, value, opts),
            ).not.toThrow();
          const s = metrics.stats();
          const d = s.dropped;
          expect(s.recorded + d.invalid + d.outOfWindow + d.evicted + d.overflow).toBe(calls.length);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('hostile input: flush() options', () => {
  const flushOptions = fc.oneof(
    anything(),
    booby,
    fc.record(
      {
        timeoutMs: fc.oneof(fc.integer({ min: -10, max: 300 }), anything()),
        signal: fc.oneof(
          booby,
          fc.constant(AbortSignal.abort()),
          fc.constant(AbortSignal.timeout(5)),
          fc.constant(new AbortController().signal),
          anything(),
        ),
      },
      { requiredKeys: [] },
    ),
  );

  it('flush(options) never throws, always settles, and never loses buffered data', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(flushOptions, { minLength: 1, maxLength: 3 }), async (optionsList) => {
        const { metrics, transport } = client({ flushTimeoutMs: 1000 });
        let increments = 0;
        for (const options of optionsList) {
          metrics.increment('c', 1);
          increments++;
          const started = performance.now();
          let settled: Promise<unknown> | undefined;
          expect(() => {
            settled = metrics.flush(options as never).then(
              (report) => expect(report.ok).toBe(true),
              // A MetricsError, a TypeError/RangeError naming the bad option, or what the caller's own
              // options object threw while being read.
              (error: unknown) =>
                expect(
                  isMetricsError(error) ||
                    error instanceof BoobyError ||
                    ((error instanceof TypeError || error instanceof RangeError) &&
                      /^handlerstats: option/.test(error.message)),
                  String(error),
                ).toBe(true),
            );
          }).not.toThrow();
          await settled;
          expect(performance.now() - started).toBeLessThan(3000);
        }
        // A normal flush afterwards delivers everything recorded: the count equals the increments.
        await metrics.flush();
        expect(metrics.stats().buffered).toBe(0);
        const totals = [...(lastWriteWins(seriesOf(transport.requests)).get('c{}')?.values() ?? [])];
        expect(totals.reduce((a, b) => a + b, 0)).toBe(increments);
      }),
      { numRuns: 150 },
    );
  });
});

describe('hostile input: environment and timed()', () => {
  const envKeys = fc.constantFrom(
    'DD_API_KEY',
    'DD_SITE',
    'DD_DD_URL',
    'DD_TAGS',
    'DD_ENV',
    'DD_SERVICE',
    'DD_VERSION',
    'DD_FLUSH_TO_LOG',
    'DD_METRICS_ENABLED',
    '__proto__',
  );

  it('createMetrics({ env }) only throws TypeError/RangeError naming an option', () => {
    fc.assert(
      fc.property(fc.dictionary(envKeys, weirdString, { maxKeys: 6 }), (env) => {
        try {
          const m = createMetrics({
            env,
            flushInterval: 0,
            transport: createMemoryTransport(),
            onError: () => {},
          });
          m.increment('ok', 1);
          expect(m.stats().recorded).toBeLessThanOrEqual(1);
        } catch (error) {
          expect(error instanceof TypeError || error instanceof RangeError).toBe(true);
          expect((error as Error).message).toMatch(/^handlerstats: option "/);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("timed() returns the function's own result or error, whatever the name and options", async () => {
    const { metrics } = client();
    await fc.assert(
      fc.asyncProperty(
        anything(),
        anything(),
        anything(),
        fc.boolean(),
        async (name, options, result, fails) => {
          const fn = fails
            ? () => {
                throw result;
              }
            : () => result;
          let outcome: { threw: boolean; value: unknown };
          try {
            outcome = { threw: false, value: metrics.timed(name as string, fn, options as never) };
          } catch (error) {
            outcome = { threw: true, value: error };
          }
          expect(outcome).toEqual({ threw: fails, value: result });
          const asyncResult = metrics.timed(name as string, async () => result, options as never);
          await expect(asyncResult).resolves.toBe(result);
        },
      ),
      { numRuns: 200 },
    );
  });
});
