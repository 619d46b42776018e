import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMetrics, type Metrics } from '../../src/index.js';
import { withMetrics } from '../../src/integrations/lambda.js';
import { createMemoryTransport } from '../../src/testing.js';
import { testClock } from '../helpers/clock.js';
import { seriesOf } from '../helpers/wire.js';

const weirdString = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.constantFrom(
    '',
    ':',
    ':::',
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    '__proto__:x',
    'a'.repeat(5000),
  ),
);
const anything = fc.oneof(
  fc.anything({ maxDepth: 2 }),
  weirdString,
  fc.double(),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0, 1e308, -1e308, 2 ** 53),
  fc.bigInt(),
  fc.date({ noInvalidDate: false }),
);
const tags = fc.oneof(
  fc.array(fc.oneof(weirdString, anything), { maxLength: 6 }),
  fc.dictionary(weirdString, fc.oneof(weirdString, fc.integer(), fc.boolean(), anything), { maxKeys: 5 }),
  fc.constant(JSON.parse('{"__proto__": {"polluted": "yes"}, "constructor": "x"}') as unknown),
  anything,
);
const timestamp = fc.oneof(
  fc.constant(undefined),
  fc.double(),
  fc.integer({ min: -1e13, max: 1e13 }),
  fc.date({ noInvalidDate: false }),
  anything,
);
const options = fc.oneof(
  fc.constant(undefined),
  fc.record({ tags, timestamp, host: fc.oneof(weirdString, anything) }, { requiredKeys: [] }),
  anything,
);
const method = fc.constantFrom(
  'increment',
  'decrement',
  'gauge',
  'histogram',
  'timing',
  'distribution',
  'set',
  'event',
  'counter',
  'boundGauge',
  'boundHistogram',
  'boundDistribution',
);
const call = fc.record({ method, name: fc.oneof(weirdString, anything), value: anything, options });

type Loose = Record<string, (...args: unknown[]) => unknown>;

function invoke(
  metrics: Metrics,
  c: { method: string; name: unknown; value: unknown; options: unknown },
): void {
  const m = metrics as unknown as Loose;
  if (c.method.startsWith('bound') || c.method === 'counter') {
    const inst = m[c.method]!(c.name, c.options) as Record<string, (v: unknown) => void>;
    for (const fn of Object.values(inst)) fn(c.value);
  } else m[c.method]!(c.name, c.value, c.options);
}

describe('hostile input to every public entry point', () => {
  it('metric calls never throw, never pollute prototypes, and every point is recorded or counted as dropped', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(call, { maxLength: 40 }), async (calls) => {
        const transport = createMemoryTransport();
        const metrics = createMetrics({ transport, now: testClock(), flushInterval: 0, onError: () => {} });
        let points = 0;
        for (const c of calls) {
          expect(() => invoke(metrics, c)).not.toThrow();
          if (c.method !== 'event') points++;
        }
        const report = await metrics.flush();
        expect(report.ok).toBe(true);
        const s = metrics.stats();
        const d = s.dropped;
        expect(s.recorded + d.invalid + d.outOfWindow + d.evicted + d.overflow + d.collision).toBe(points);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        expect(Object.prototype).not.toHaveProperty('polluted');
        for (const entry of seriesOf(transport.requests)) {
          expect(entry.metric).toMatch(/^[A-Za-z][A-Za-z0-9_.]{0,199}$/);
          for (const tag of entry.tags) expect(tag.length).toBeLessThanOrEqual(200);
          for (const [t, v] of entry.points) {
            expect(Number.isInteger(t)).toBe(true);
            expect(Number.isFinite(v as number)).toBe(true);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('createMetrics only ever throws TypeError or RangeError for bad options', () => {
    const opt = fc.dictionary(
      fc.constantFrom(
        'apiKey',
        'site',
        'intakeUrl',
        'namespace',
        'tags',
        'host',
        'rollupInterval',
        'flushInterval',
        'flushTimeoutMs',
        'maxPastSeconds',
        'maxFutureSeconds',
        'histogramAggregates',
        'histogramPercentiles',
        'maxBufferedPoints',
        'maxRetainedBuckets',
        'enabled',
        'strict',
        'allowInsecureHttp',
      ),
      anything,
      { maxKeys: 4 },
    );
    fc.assert(
      fc.property(opt, (o) => {
        try {
          const m = createMetrics({
            ...(o as object),
            flushInterval: 0,
            transport: createMemoryTransport(),
            onError: () => {},
          });
          m.increment('ok');
        } catch (error) {
          expect(error instanceof TypeError || error instanceof RangeError).toBe(true);
          expect(String((error as Error).message)).toMatch(/^handlerstats: option "|^handlerstats: options/);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('memory stays bounded under unbounded cardinality and hostile timestamps', async () => {
    const clock = testClock();
    const transport = createMemoryTransport();
    const metrics = createMetrics({
      transport,
      now: clock,
      flushInterval: 0,
      maxRetainedBuckets: 2000,
      maxBufferedPoints: 2000,
      onError: () => {},
    });
    for (let i = 0; i < 50_000; i++) {
      metrics.increment(`m${i}`, 1, { tags: [`id:${i}`] });
      metrics.gauge(`g${i}`, 1, { timestamp: i % 2 === 0 ? 0 : ('x' as never) });
      if (i % 5000 === 0) clock.advance(10);
    }
    const s = metrics.stats();
    expect(s.retained).toBeLessThanOrEqual(2000);
    expect(s.buffered).toBeLessThanOrEqual(2000);
    expect(s.series).toBeLessThanOrEqual(2000);
    expect(s.dropped.outOfWindow).toBe(25_000);
    expect(s.dropped.invalid).toBe(25_000);
    // Every increment is either still buffered or counted as overflow (refused, or evicted unsent).
    expect(s.dropped.overflow).toBe(50_000 - s.buffered);
    await metrics.flush();
    expect(metrics.stats().buffered).toBe(0);
  });

  it('integration wrappers pass hostile handler results and errors through untouched', async () => {
    const metrics = createMetrics({
      transport: createMemoryTransport(),
      flushInterval: 0,
      onError: () => {},
    });
    await fc.assert(
      fc.asyncProperty(anything, fc.boolean(), async (value, shouldThrow) => {
        const handler = withMetrics(metrics, async () => {
          metrics.increment('x');
          if (shouldThrow) throw value;
          return value;
        });
        const ctx = { getRemainingTimeInMillis: () => 3000 };
        if (shouldThrow) await expect(handler({}, ctx)).rejects.toBe(value);
        else await expect(handler({}, ctx)).resolves.toBe(value);
      }),
      { numRuns: 100 },
    );
  });
});
