import { describe, expect, it } from 'vitest';
import type { SeriesPoints } from '../e2e/support/vm-series.js';
import { type Invocation, type Rig, reportOf, startRig } from './support/rig.js';
import { diffDistributions, storedSeries } from './support/truth-log.js';

const NOTHING_DROPPED = {
  invalid: 0,
  outOfWindow: 0,
  expired: 0,
  overflow: 0,
  evicted: 0,
  rejected: 0,
  collision: 0,
};

/** The accounting every case ends with: nothing buffered or dropped, distributions reconciled with `resent`. */
function reconcile(rig: Rig): { extra: number; duplicateEvents: number } {
  const s = rig.metrics.stats();
  expect(s.buffered).toBe(0);
  expect(s.dropped).toEqual(NOTHING_DROPPED);
  expect(s.recorded).toBe(rig.truth.points());
  const snap = rig.snapshot();
  const dist = diffDistributions(snap, rig.truth.distributions());
  expect(dist.missing).toEqual([]);
  expect(dist.foreign).toEqual([]);
  const titles = snap.events.map((e) => e.title as string);
  expect(new Set(titles)).toEqual(new Set(rig.truth.events()));
  const duplicateEvents = titles.length - new Set(titles).size;
  // Every value or event stored twice was counted as possibly re-sent (and nothing else was).
  expect(dist.extra + duplicateEvents).toBeLessThanOrEqual(s.resent);
  return { extra: dist.extra, duplicateEvents };
}

describe('faults: concurrent callers with mixed deadlines (DESIGN §15: each caller its own deadline)', () => {
  // 20 concurrent invocations against an intake that takes 300 ms per request: one has 40 ms of flush budget
  // (540 ms left, 500 ms margin), the others 10 s. The first caller starts the run the others queue behind.
  it.each([
    ['the first caller (its run is the one the others wait for)', 0],
    ['a caller queued behind the running flush', 10],
  ])(
    'the short one is %s: it returns at its deadline, the others get their data sent',
    async (_, shortOne) => {
      const rig = await startRig();
      try {
        expect((await rig.invoke(100)).errors).toEqual([]); // warm keep-alive connections
        rig.clock.advance(1);
        rig.intake.faults.inject({ delayMs: 300 });
        const before = rig.metrics.stats();
        const heard = rig.errors.length;
        const limits = Array.from({ length: 20 }, (_, n) => (n === shortOne ? 540 : 10_500));
        const invocations: Invocation[] = await Promise.all(
          limits.map((timeoutMs, n) => rig.invoke(n, { timeoutMs, events: n === 1 })),
        );

        // Latency bound: nobody is pushed past its own limit.
        invocations.forEach((inv, n) => {
          expect(inv.result).toEqual({ statusCode: 200, i: n });
          expect(inv.latencyMs).toBeLessThan(limits[n]!);
        });
        // The short caller's report: DEADLINE_EXCEEDED with what was acknowledged by its own deadline (nothing:
        // the intake takes 300 ms), the rest carried. No other caller heard an error.
        const errors = rig.errors.slice(heard);
        expect(errors.map((e) => e.code)).toEqual(['DEADLINE_EXCEEDED']);
        const report = reportOf(errors[0]);
        expect(report).toMatchObject({ ok: false, points: 0, series: 0 });
        expect(report!.carried).toBeGreaterThan(0);

        // Truth, as soon as the long callers returned (no flush after them): everything is stored.
        expect(storedSeries(rig.snapshot())).toEqual(rig.truth.series());
        const after = rig.metrics.stats();
        const { extra } = reconcile(rig);
        // Accounting: a short first caller cut its run's requests in flight (series, distributions, the event), the
        // others re-sent everything in their own run; a short queued caller cut nothing.
        expect(after.ambiguous - before.ambiguous).toBe(shortOne === 0 ? 3 : 0);
        expect(after.failedFlushes - before.failedFlushes).toBe(shortOne === 0 ? 1 : 0);
        expect(after.errors.DEADLINE_EXCEEDED).toBe(1);
        if (shortOne !== 0) expect(extra).toBe(0);
      } finally {
        await rig.close();
      }
    },
  );
});

const GAUGE = 'app.queue.depth{}';
const withoutGauge = (series: SeriesPoints): SeriesPoints =>
  Object.fromEntries(Object.entries(series).filter(([key]) => key !== GAUGE));

describe('faults: a cut request that lands late (DESIGN §12, §15)', () => {
  /**
   * Invocation 1's requests are held by the front (on their way, not stored) past its 300 ms flush deadline:
   * it reports DEADLINE_EXCEEDED and carries its data. Invocation 2, same bucket, sends the newer totals.
   */
  async function cutThenNewer(rig: Rig): Promise<void> {
    expect((await rig.invoke(0)).errors).toEqual([]);
    rig.clock.advance(1);
    rig.front.failAll({ kind: 'hold' });
    const cut = await rig.invoke(1, { timeoutMs: 800 });
    expect(cut.latencyMs).toBeLessThan(800);
    expect(cut.errors.map((e) => e.code)).toEqual(['DEADLINE_EXCEEDED']);
    expect(rig.front.log.filter((r) => r.fault === 'hold')).toHaveLength(3); // series, distributions, event
    await rig.front.recover();
    rig.clock.advance(1);
    const newer = await rig.invoke(2);
    expect(newer.errors).toEqual([]);
    expect(storedSeries(rig.snapshot())).toEqual(rig.truth.series());
  }

  it('it lands after the newer total; the merged value re-sent while the bucket is open carries the total', async () => {
    const rig = await startRig();
    try {
      await cutThenNewer(rig);
      expect(await rig.front.releaseHeld()).toEqual([202, 202, 202]); // … the cut requests land now
      // The race happened: the bucket holds invocation 1's older totals (0 and 1 only).
      expect(storedSeries(rig.snapshot())).toEqual(rig.truth.series(new Set([2])));

      rig.clock.advance(1); // still inside the bucket; nothing new recorded
      const resend = await rig.metrics.flush();
      expect(resend.series).toBeGreaterThan(0); // the owed re-send of the merged value …
      // … is the last write: the total (counts, sets, histogram aggregates; the gauge: see the next test)
      expect(withoutGauge(storedSeries(rig.snapshot()))).toEqual(withoutGauge(rig.truth.series()));

      rig.clock.advance(10); // the bucket closed: one last re-send, then nothing is owed
      expect((await rig.metrics.flush()).series).toBeGreaterThan(0);
      expect((await rig.metrics.flush()).requests).toBe(0);
      expect(withoutGauge(storedSeries(rig.snapshot()))).toEqual(withoutGauge(rig.truth.series()));
      const { extra, duplicateEvents } = reconcile(rig);
      const s = rig.metrics.stats();
      expect(s.ambiguous).toBe(3);
      // The cut distribution values and the event landed twice, and exactly those were counted.
      expect([extra, duplicateEvents]).toEqual([2, 1]);
      expect(s.resent).toBe(extra + duplicateEvents);
    } finally {
      await rig.close();
    }
  });

  // Before the fix a gauge was not re-sent after an ambiguous cut (gauges keep nothing after a send, and
  // the owed re-send was only set for kinds that do): the cut's older value (13, truth 23) stayed for good.
  it('the gauge too: its last value is re-sent after the cut, so the late landing is overwritten', async () => {
    const rig = await startRig();
    try {
      await cutThenNewer(rig);
      await rig.front.releaseHeld();
      expect(storedSeries(rig.snapshot())[GAUGE]).toEqual(rig.truth.series(new Set([2]))[GAUGE]); // 13: stale
      rig.clock.advance(1);
      await rig.metrics.flush();
      expect(storedSeries(rig.snapshot())[GAUGE]).toEqual(rig.truth.series()[GAUGE]); // 23
    } finally {
      await rig.close();
    }
  });

  it('the residual race: landing after every re-send leaves the older total, counted in ambiguous, not claimed away', async () => {
    const rig = await startRig();
    try {
      await cutThenNewer(rig);
      rig.clock.advance(1);
      expect((await rig.metrics.flush()).series).toBeGreaterThan(0); // the owed re-send, bucket open
      rig.clock.advance(10);
      expect((await rig.metrics.flush()).series).toBeGreaterThan(0); // the last one, bucket closed
      expect((await rig.metrics.flush()).requests).toBe(0); // nothing more will be sent for it
      expect(storedSeries(rig.snapshot())).toEqual(rig.truth.series());

      expect(await rig.front.releaseHeld()).toEqual([202, 202, 202]); // lands after every re-send
      const stored = storedSeries(rig.snapshot());
      expect(stored).not.toEqual(rig.truth.series()); // the client cannot close this race …
      expect(stored).toEqual(rig.truth.series(new Set([2]))); // … the older totals stay
      const s = rig.metrics.stats();
      expect(s.ambiguous).toBe(3); // … and it is counted: the three requests cut in flight
      const { extra, duplicateEvents } = reconcile(rig);
      expect([extra, duplicateEvents]).toEqual([2, 1]);
      expect(s.resent).toBe(extra + duplicateEvents);
    } finally {
      await rig.close();
    }
  });
});
