import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KIND, kindsFor } from '../../src/core/kinds/index.js';
import type { Samples } from '../../src/core/samples.js';
import { bucketStart } from '../../src/core/window.js';
import { createMetrics } from '../../src/index.js';
import { createMemoryTransport } from '../../src/testing.js';
import { T0, testClock } from '../helpers/clock.js';
import { lastWriteWins, seriesOf } from '../helpers/wire.js';

// The kinds production runs (native mode): their `merge` is what commits, rollbacks and re-sends use.
const kinds = kindsFor({ aggregates: ['max'], percentiles: [], additive: false, sendAs: 'native' });
const count = kinds[KIND.count]!;
const gauge = kinds[KIND.gauge]!;
const set = kinds[KIND.set]!;
const histogram = kinds[KIND.histogram]!;
/** A pending state of `kind` holding `values`, built through the kind's own `add`. */
const stateOf = (kind: typeof count, values: readonly (number | string)[]): unknown => {
  const slots = { a: undefined, s: undefined, p: undefined as unknown };
  for (const v of values) kind.add(slots, v);
  return slots.p;
};
const merge = (kind: typeof count, x: unknown, y: unknown): unknown =>
  // `merge` may reuse its first argument: work on a copy so the inputs stay as they were.
  kind.merge(kind.expand(kind.compact(x)), y);

const value = fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true });
const samplesOf = (values: number[]): Samples => stateOf(histogram, values) as Samples;
// `+ 0` folds -0 into 0: which of two equal zeros comes first depends on merge order, and the wire
// (JSON) cannot tell them apart anyway.
const summary = (s: Samples) => ({
  count: s.count,
  min: s.min + 0,
  max: s.max + 0,
  p50: s.percentile(0.5) + 0,
  p95: s.percentile(0.95) + 0,
});

describe('kind merge (what commit, rollback and re-send run)', () => {
  it('count merge is associative and order-independent', () => {
    const ints = fc.integer({ min: -1e6, max: 1e6 });
    fc.assert(
      fc.property(ints, ints, ints, (a, b, c) => {
        expect(merge(count, merge(count, a, b), c)).toBe(merge(count, a, merge(count, b, c)));
        expect(merge(count, a, b)).toBe(merge(count, b, a));
      }),
    );
  });

  it('gauge merge is associative (last wins)', () => {
    fc.assert(
      fc.property(value, value, value, (a, b, c) => {
        expect(merge(gauge, merge(gauge, a, b), c)).toBe(merge(gauge, a, merge(gauge, b, c)));
        expect(merge(gauge, a, b)).toBe(b);
      }),
    );
  });

  it('set merge is associative and order-independent, and survives compaction', () => {
    const members = fc.array(fc.string({ maxLength: 3 }), { maxLength: 20 }).map((xs) => stateOf(set, xs));
    const sorted = (x: unknown) => [...(x as Set<string>)].sort();
    fc.assert(
      fc.property(members, members, members, (a, b, c) => {
        const left = merge(set, merge(set, a ?? new Set(), b ?? new Set()), c ?? new Set());
        const right = merge(set, a ?? new Set(), merge(set, b ?? new Set(), c ?? new Set()));
        expect(sorted(left)).toEqual(sorted(right));
        expect(sorted(merge(set, a ?? new Set(), b ?? new Set()))).toEqual(
          sorted(merge(set, b ?? new Set(), a ?? new Set())),
        );
        expect(sorted(set.expand(set.compact(left)))).toEqual(sorted(left));
      }),
    );
  });

  it('histogram merge is associative and order-independent (exact and sketched), and survives compaction', () => {
    const values = fc.array(value, { minLength: 1, maxLength: 700 });
    fc.assert(
      fc.property(values, values, values, (a, b, c) => {
        const [sa, sb, sc] = [samplesOf(a), samplesOf(b), samplesOf(c)];
        const left = merge(histogram, merge(histogram, sa, sb), sc) as Samples;
        const right = merge(histogram, sa, merge(histogram, sb, sc)) as Samples;
        const swapped = merge(histogram, merge(histogram, sc, sb), sa) as Samples;
        expect(summary(left)).toEqual(summary(right));
        expect(summary(left)).toEqual(summary(swapped));
        expect(left.sum).toBeCloseTo(right.sum, 3);
        expect(summary(histogram.expand(histogram.compact(left)) as Samples)).toEqual(summary(left));
      }),
      { numRuns: 40 },
    );
  });

  it('percentiles are exact nearest rank up to 1,000 samples and within 1% past that', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.001, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 3000 }),
        fc.constantFrom(0.5, 0.75, 0.95, 0.99),
        (values, p) => {
          const sorted = [...values].sort((x, y) => x - y);
          const exact = sorted[Math.ceil(p * sorted.length) - 1]!;
          const got = samplesOf(values).percentile(p);
          if (values.length <= 1000) expect(got).toBe(exact);
          else expect(Math.abs(got - exact) / exact).toBeLessThanOrEqual(0.01);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('buckets', () => {
  it('every bucket start is aligned and contains its point', () => {
    fc.assert(
      fc.property(
        // Millisecond-precision times, as clocks and Dates give them.
        fc.integer({ min: -1e12, max: 1e13 }).map((ms) => ms / 1000),
        fc.integer({ min: 1, max: 3600 }),
        (t, r) => {
          const b = bucketStart(t, r);
          expect(Math.abs(b % r)).toBe(0);
          expect(b).toBeLessThanOrEqual(t);
          expect(t - b).toBeLessThan(r);
        },
      ),
    );
  });
});

type Op =
  | { op: 'inc'; name: number; tag: number; v: number; late: number }
  | { op: 'set'; name: number; v: number; late: number }
  | { op: 'hist'; v: number }
  | { op: 'tick'; s: number }
  | { op: 'flush'; fail: boolean; open: boolean };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({
      op: fc.constant('inc' as const),
      name: fc.nat(2),
      tag: fc.nat(2),
      v: fc.integer({ min: -5, max: 20 }),
      late: fc.nat(40),
    }),
    weight: 6,
  },
  {
    arbitrary: fc.record({
      op: fc.constant('set' as const),
      name: fc.nat(1),
      v: fc.nat(6),
      late: fc.nat(25),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({ op: fc.constant('hist' as const), v: fc.integer({ min: 0, max: 100 }) }),
    weight: 2,
  },
  {
    arbitrary: fc.record({ op: fc.constant('tick' as const), s: fc.integer({ min: 1, max: 25 }) }),
    weight: 2,
  },
  {
    arbitrary: fc.record({ op: fc.constant('flush' as const), fail: fc.boolean(), open: fc.boolean() }),
    weight: 2,
  },
);

describe('no point lost or counted twice across any interleaving', () => {
  it('what a last-write-wins backend stores equals the true totals', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(opArb, { maxLength: 60 }),
        fc.integer({ min: 1, max: 3 }),
        async (ops, interval) => {
          const r = interval * 5;
          const clock = testClock();
          let failing = false;
          const transport = createMemoryTransport({ respond: () => (failing ? 503 : 202) });
          const metrics = createMetrics({
            transport,
            now: clock,
            flushInterval: 0,
            rollupInterval: r,
            flushTimeoutMs: 5,
            histogramAggregates: ['count', 'max', 'sum'],
            histogramPercentiles: [],
            onError: () => {},
          });
          const delivered: typeof transport.requests = [];
          const truthCounts = new Map<string, Map<number, number>>();
          const truthSets = new Map<string, Map<number, Set<number>>>();
          const hist = new Map<number, number[]>();
          const add = (key: string, t: number, v: number) => {
            const m = truthCounts.get(key) ?? new Map<number, number>();
            m.set(t, (m.get(t) ?? 0) + v);
            truthCounts.set(key, m);
          };
          for (const op of ops) {
            const now = clock.seconds();
            if (op.op === 'inc') {
              const ts = now - op.late;
              metrics.increment(`c${op.name}`, op.v, { tags: [`t:${op.tag}`], timestamp: ts });
              add(`c${op.name}{t:${op.tag}}`, bucketStart(ts, r), op.v);
            } else if (op.op === 'set') {
              const ts = now - op.late;
              metrics.set(`s${op.name}`, op.v, { timestamp: ts });
              const m = truthSets.get(`s${op.name}{}`) ?? new Map<number, Set<number>>();
              const b = bucketStart(ts, r);
              m.set(b, (m.get(b) ?? new Set()).add(op.v));
              truthSets.set(`s${op.name}{}`, m);
            } else if (op.op === 'hist') {
              metrics.histogram('h', op.v);
              const b = bucketStart(now, r);
              hist.set(b, [...(hist.get(b) ?? []), op.v]);
            } else if (op.op === 'tick') clock.advance(op.s);
            else {
              failing = op.fail;
              const before = transport.requests.length;
              await (op.open ? metrics.flush() : metrics.close()).catch(() => {});
              if (!op.fail) delivered.push(...transport.requests.slice(before));
            }
          }
          failing = false;
          const before = transport.requests.length;
          await metrics.flush();
          delivered.push(...transport.requests.slice(before));

          const stored = lastWriteWins(seriesOf(delivered));
          for (const [key, m] of truthCounts)
            expect(Object.fromEntries(stored.get(key) ?? [])).toEqual(Object.fromEntries(m));
          for (const [key, m] of truthSets)
            expect(Object.fromEntries(stored.get(key) ?? [])).toEqual(
              Object.fromEntries([...m].map(([b, s]) => [b, s.size])),
            );
          for (const [b, vs] of hist) {
            expect(stored.get('h.count{}')?.get(b)).toBe(vs.length);
            expect(stored.get('h.max{}')?.get(b)).toBe(Math.max(...vs));
            expect(stored.get('h.sum{}')?.get(b)).toBe(vs.reduce((x, y) => x + y, 0));
          }
          const s = metrics.stats();
          expect(s.buffered).toBe(0);
          expect(s.dropped).toEqual({
            invalid: 0,
            outOfWindow: 0,
            expired: 0,
            overflow: 0,
            evicted: 0,
            rejected: 0,
            collision: 0,
          });
        },
      ),
      { numRuns: 120 },
    );
  });

  it('distribution values are delivered exactly once when failures are clean', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(fc.integer({ min: 0, max: 99 }), fc.constantFrom('flush-ok', 'flush-fail', 'tick')),
          {
            maxLength: 50,
          },
        ),
        async (ops) => {
          const clock = testClock();
          let failing = false;
          const transport = createMemoryTransport({ respond: () => (failing ? 400 + 29 : 202) });
          const metrics = createMetrics({
            transport,
            now: clock,
            flushInterval: 0,
            flushTimeoutMs: 5,
            onError: () => {},
          });
          const truth: number[] = [];
          const delivered: number[] = [];
          const collect = (from: number) => {
            for (const s of seriesOf(transport.requests.slice(from), '/api/v1/distribution_points'))
              for (const [, vs] of s.points) delivered.push(...(vs as number[]));
          };
          for (const op of ops) {
            if (typeof op === 'number') {
              metrics.distribution('d', op);
              truth.push(op);
            } else if (op === 'tick') clock.advance(7);
            else {
              failing = op === 'flush-fail';
              const before = transport.requests.length;
              await metrics.flush().catch(() => {});
              if (!failing) collect(before);
            }
          }
          failing = false;
          const before = transport.requests.length;
          await metrics.flush();
          collect(before);
          expect([...delivered].sort((a, b) => a - b)).toEqual([...truth].sort((a, b) => a - b));
        },
      ),
      { numRuns: 80 },
    );
  });
});

describe('serialization', () => {
  it('the same inputs in any order serialize identically', async () => {
    const point = fc.record({
      kind: fc.constantFrom('inc', 'set', 'hist'),
      // One name per kind and name: two kinds under one wire name are a collision (first one wins).
      name: fc.constantFrom('a', 'b', 'c.d'),
      tags: fc.uniqueArray(fc.constantFrom('x:1', 'y:2', 'Z:3', 'w'), { maxLength: 3 }),
      v: fc.integer({ min: 0, max: 50 }),
      late: fc.nat(30),
    });
    await fc.assert(
      fc.asyncProperty(
        fc
          .array(point, { minLength: 1, maxLength: 30 })
          .chain((ps) =>
            fc.tuple(
              fc.constant(ps),
              fc.shuffledSubarray(ps, { minLength: ps.length, maxLength: ps.length }),
            ),
          ),
        async ([ordered, shuffled]) => {
          const run = async (ps: typeof ordered) => {
            const transport = createMemoryTransport();
            const metrics = createMetrics({ transport, now: testClock(), flushInterval: 0 });
            for (const p of ps) {
              const opts = { tags: p.tags, timestamp: T0 + 1 - p.late };
              const name = `${p.kind}.${p.name}`;
              if (p.kind === 'inc') metrics.increment(name, p.v, opts);
              else if (p.kind === 'set') metrics.set(name, p.v, opts);
              else metrics.histogram(name, p.v, opts);
            }
            await metrics.flush();
            return JSON.stringify(transport.requests);
          };
          expect(await run(shuffled)).toBe(await run(ordered));
        },
      ),
      { numRuns: 60 },
    );
  });
});
