// The core under random interleavings of records, drains and every way a request can end (stored,
// refused, lost, maybe stored, stored twice, split by a 413), with tight bounds so that eviction and
// shedding run: the counters always equal what the state holds, and a last-write-wins backend never
// holds more than the truth (and exactly the truth when nothing was counted as dropped).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Aggregator, type Entry, type Outcome } from '../../src/core/aggregator.js';
import type { CoreConfig } from '../../src/core/config.js';
import { KIND, type KindId } from '../../src/core/kinds/index.js';
import { bucketStart } from '../../src/core/window.js';
import { T0 } from '../helpers/clock.js';
import { audit } from './audit.js';

const R = 10;

function core(over: Partial<CoreConfig> = {}): Aggregator {
  return new Aggregator(
    {
      namespace: '',
      host: '',
      constantTags: [],
      interval: R,
      maxPastSeconds: 3600,
      maxFutureSeconds: 600,
      aggregates: ['count', 'max', 'sum'],
      percentiles: [0.5],
      maxBufferedPoints: 1e9,
      maxRetainedBuckets: 1e9,
      maxMemoryBytes: 2 ** 40,
      additive: false,
      sendAs: 'native',
      apiVersion: 1,
      units: new Map(),
      ...over,
    },
    () => {},
  );
}

type Op =
  | { op: 'rec'; kind: KindId; name: number; tag: number; late: number; v: number }
  | { op: 'tick'; s: number }
  | { op: 'drain'; open: boolean }
  | { op: 'settle'; outcomes: ('ok' | 'twice' | 'rejected' | 'failed' | 'lost' | 'landed' | 'split')[] };

const outcome = fc.constantFrom('ok', 'ok', 'ok', 'twice', 'rejected', 'failed', 'lost', 'landed', 'split');
const opArb = (kinds: KindId[]): fc.Arbitrary<Op> =>
  fc.oneof(
    {
      weight: 8,
      arbitrary: fc.record({
        op: fc.constant('rec' as const),
        kind: fc.constantFrom(...kinds),
        name: fc.nat(2),
        tag: fc.nat(3),
        late: fc.oneof(fc.constant(0), fc.nat(60), fc.nat(3700)),
        v: fc.integer({ min: 0, max: 30 }),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({ op: fc.constant('tick' as const), s: fc.integer({ min: 1, max: 700 }) }),
    },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('drain' as const), open: fc.boolean() }) },
    {
      weight: 2,
      arbitrary: fc.record({
        op: fc.constant('settle' as const),
        outcomes: fc.array(outcome, { maxLength: 8 }),
      }),
    },
  );

const bounds = fc.record({
  maxBufferedPoints: fc.constantFrom(3, 20, 1e9),
  maxRetainedBuckets: fc.constantFrom(2, 15, 1e9),
  maxMemoryBytes: fc.constantFrom(20_000, 60_000, 2 ** 40),
  sendAs: fc.constantFrom('native' as const, 'distribution' as const),
});

interface Wire {
  metric: string;
  points: [number, number | number[]][];
  tags: string[];
}

/** Runs ops against a core and a last-write-wins backend; returns what the backend ended up holding. */
async function run(ops: Op[], cfg: Partial<CoreConfig>, check: (agg: Aggregator) => void) {
  const agg = core(cfg);
  let now = T0 + 1;
  const truthCounts = new Map<string, number>();
  const truthValues: number[] = [];
  const stored = new Map<string, number>();
  const values: number[] = [];
  let nextValue = 0;
  let flying: Entry[] = [];
  const deliver = (e: Entry) => {
    for (const j of e.json) {
      const w = JSON.parse(j) as Wire;
      for (const [t, v] of w.points)
        if (Array.isArray(v)) values.push(...v);
        else stored.set(`${w.metric}${JSON.stringify(w.tags)}@${t}`, v);
    }
  };
  const settle = (e: Entry, how: string) => {
    const map: Record<string, Outcome> = { ok: 'ok', twice: 'ok', rejected: 'rejected', failed: 'failed' };
    if (how === 'split') {
      const halves = agg.split(e);
      if (halves === undefined) return settle(e, 'rejected');
      for (const h of halves) settle(h, 'ok');
      return;
    }
    if (how === 'ok' || how === 'twice') deliver(e);
    if (how === 'twice') deliver(e);
    if (how === 'landed') deliver(e); // cut at the deadline, yet it arrived
    agg.settle(e, map[how] ?? 'ambiguous', now, how === 'twice' ? 1 : 0);
  };
  for (const op of ops) {
    if (op.op === 'rec') {
      const name = `k${op.kind}.n${op.name}`;
      const ts = now - op.late;
      const v = op.kind === KIND.distribution ? nextValue++ : op.kind === KIND.count ? 1 : op.v;
      const before = agg.stats.recorded;
      agg.record(
        op.kind,
        name,
        op.kind === KIND.set ? String(op.v) : v,
        { tags: [`t:${op.tag}`], timestamp: ts },
        now * 1000,
      );
      if (agg.stats.recorded > before) {
        if (op.kind === KIND.count) {
          const key = `${name}["t:${op.tag}"]@${bucketStart(ts, R)}`;
          truthCounts.set(key, (truthCounts.get(key) ?? 0) + 1);
        }
      }
      if (op.kind === KIND.distribution) truthValues.push(v); // refused ones too: they are counted as dropped
    } else if (op.op === 'tick') now += op.s;
    else if (op.op === 'drain') {
      if (flying.length > 0) continue; // one flush at a time
      const d = agg.drain(now, op.open);
      flying = [...d.series, ...d.distributions];
    } else {
      const list = flying;
      flying = [];
      for (const [i, e] of list.entries()) settle(e, op.outcomes[i] ?? 'ok');
    }
    check(agg);
  }
  for (const e of flying) settle(e, 'ok');
  for (let i = 0; i < 5; i++) {
    const d = agg.drain(now, true);
    for (const e of [...d.series, ...d.distributions]) settle(e, 'ok');
  }
  check(agg);
  return { agg, truthCounts, truthValues, stored, values };
}

const consistent = (agg: Aggregator) => {
  const a = audit(agg);
  expect(a.problems).toEqual([]);
  expect(agg.pending - inFlightPoints(agg)).toBe(a.pending);
  expect(agg.retained).toBe(a.retained);
};

/** Points sealed into requests now: `pending` counts them, the records' `p` no longer does. */
function inFlightPoints(agg: Aggregator): number {
  return (agg.store as unknown as { flyingPoints?: number }).flyingPoints ?? 0;
}

describe('core: records, drains and settles in any interleaving', () => {
  it('counters always equal the state; nothing is left in flight; memory accounting balances', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(opArb([KIND.count, KIND.gauge, KIND.set, KIND.histogram, KIND.distribution]), {
          maxLength: 80,
        }),
        bounds,
        async (ops, b) => {
          const { agg } = await run(ops, b, (agg) => {
            const a = audit(agg);
            expect(a.problems.filter((p) => !/in flight|sealed|record bytes/.test(p))).toEqual([]);
          });
          consistent(agg);
          const a = audit(agg);
          expect(agg.budget.used).toBe(a.bytes);
          expect(agg.pending).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a last-write-wins backend never holds more than the truth, and all of it when nothing was dropped', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(opArb([KIND.count, KIND.distribution]), { maxLength: 80 }),
        bounds,
        async (ops, b) => {
          const { agg, truthCounts, truthValues, stored, values } = await run(
            ops,
            { ...b, sendAs: 'native' },
            () => {},
          );
          const d = agg.stats.dropped;
          const dropped =
            d.invalid + d.outOfWindow + d.expired + d.overflow + d.evicted + d.rejected + d.collision;
          for (const [key, v] of stored) expect(v).toBeLessThanOrEqual(truthCounts.get(key) ?? 0);
          if (dropped === 0) {
            expect(Object.fromEntries(stored)).toEqual(Object.fromEntries(truthCounts));
            expect([...values].sort((x, y) => x - y)).toEqual(expect.arrayContaining(truthValues));
          }
          // Distribution values: each arrives at most once unless counted as re-sent.
          const seen = new Map<number, number>();
          for (const v of values) seen.set(v, (seen.get(v) ?? 0) + 1);
          let extra = 0;
          for (const n of seen.values()) extra += n - 1;
          expect(extra).toBeLessThanOrEqual(agg.stats.resent);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('distributions: what never arrives is exactly what was counted as dropped', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb([KIND.distribution]), { maxLength: 80 }), bounds, async (ops, b) => {
        // A request that was cut yet arrived is re-sent; if its values are then dropped (aged out, refused)
        // they are counted although they did arrive (the client cannot know): exactness holds without those.
        const clean = ops.map((o) =>
          o.op === 'settle' ? { ...o, outcomes: o.outcomes.filter((x) => x !== 'landed') } : o,
        );
        const { agg, truthValues, values } = await run(clean, b, () => {});
        const d = agg.stats.dropped;
        const missing = truthValues.filter((v) => !values.includes(v)).length;
        expect(missing).toBe(d.overflow + d.expired + d.rejected + d.outOfWindow + d.invalid + d.evicted);
      }),
      { numRuns: 200 },
    );
  });
});
