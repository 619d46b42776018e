import fc from 'fast-check';
import { expect, it } from 'vitest';
import { type FlushReport, isMetricsError } from '../../src/index.js';
import { testClock } from '../helpers/clock.js';
import type { Fault } from '../helpers/fault-proxy.js';
import { mirror } from './support/mirror.js';
import { alignedBase, describeE2E, e2eClient, freshPrefix, misaligned, readBack } from './support/suite.js';
import { Truth, withVmPrecision } from './support/truth.js';

const FAULTS = ['none', '503-then-ok', '429-too-late', 'ambiguous', 'reset', 'slow-past-deadline'] as const;
type FaultName = (typeof FAULTS)[number];

const FAULT: Record<Exclude<FaultName, 'none'>, { n: number; fault: Fault }> = {
  '503-then-ok': { n: 2, fault: { kind: 'status', status: 503 } },
  '429-too-late': { n: 1, fault: { kind: 'status', status: 429, headers: { 'retry-after': '60' } } },
  ambiguous: { n: 1, fault: { kind: 'ambiguous' } },
  reset: { n: 1, fault: { kind: 'reset' } },
  'slow-past-deadline': { n: 1, fault: { kind: 'delay', ms: 250 } },
};

type Op =
  | { op: 'inc'; metric: number; tag: number; value: number; back: number }
  | { op: 'gauge'; tag: number; value: number; back: number }
  | { op: 'advance'; seconds: number }
  | { op: 'flush'; fault: FaultName };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant('inc' as const),
      metric: fc.integer({ min: 0, max: 1 }),
      tag: fc.integer({ min: 0, max: 1 }),
      value: fc.integer({ min: -5, max: 20 }),
      back: fc.integer({ min: 0, max: 3 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('gauge' as const),
      tag: fc.integer({ min: 0, max: 1 }),
      value: fc.integer({ min: -100, max: 100 }),
      back: fc.integer({ min: 0, max: 3 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('advance' as const), seconds: fc.integer({ min: 1, max: 14 }) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constant('flush' as const), fault: fc.constantFrom(...FAULTS) }),
  },
);

describeE2E('e2e: random workloads with failing flushes (fast-check)', (env) => {
  it('VictoriaMetrics ends holding the true value of every series and bucket', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(5, 10, 60),
        fc.array(opArb, { minLength: 15, maxLength: 40, size: 'max' }),
        async (interval, ops) => {
          const proxy = env().proxy;
          proxy.recover();
          proxy.log.splice(0);
          const prefix = freshPrefix('prop');
          const base = alignedBase();
          const clock = testClock(base + 1);
          const { metrics } = e2eClient(env(), prefix, clock, {
            rollupInterval: interval,
            flushTimeoutMs: 3000,
          });
          const truth = new Truth(interval);
          const m = mirror(metrics, truth, prefix, () => clock.seconds());
          const reports: FlushReport[] = [];
          const flush = async (timeoutMs?: number): Promise<void> => {
            try {
              reports.push(await metrics.flush(timeoutMs === undefined ? undefined : { timeoutMs }));
            } catch (error) {
              if (!isMetricsError(error)) throw error;
              reports.push((error.details as { report: FlushReport }).report);
            }
          };

          for (const op of ops) {
            const timestamp = (back: number) => (back === 0 ? undefined : clock.seconds() - back * interval);
            if (op.op === 'inc')
              m.increment(`c${op.metric}`, op.value, {
                tags: [`k:v${op.tag}`],
                timestamp: timestamp(op.back),
              });
            else if (op.op === 'gauge')
              m.gauge('g', op.value, { tags: [`k:v${op.tag}`], timestamp: timestamp(op.back) });
            else if (op.op === 'advance') clock.advance(op.seconds);
            else {
              if (op.fault !== 'none') proxy.failNext(FAULT[op.fault].n, FAULT[op.fault].fault);
              await flush(op.fault === 'slow-past-deadline' ? 100 : undefined);
              proxy.recover(); // a fault the flush did not use (nothing to send) must not leak into the next
              // A slow request still reaches the backend after the client gave up; let it land before
              // the next flush so the arrival order is the send order (as it would be for Datadog).
              await proxy.settled();
            }
          }
          await flush();
          expect(reports.at(-1)?.ok).toBe(true);
          // close() flushes once more: after an ambiguous cut the open bucket's total is re-sent (echo).
          reports.push(await metrics.close());

          const { history, state } = await readBack(env(), prefix, base - 4 * interval - 60, base + 3600);
          const expected = truth.expected();
          expect(history.problems).toEqual([]);
          expect(misaligned(state, interval)).toEqual([]);
          expect(withVmPrecision(state, expected)).toEqual(expected);

          const stats = metrics.stats();
          const sum = (f: (r: FlushReport) => number): number => reports.reduce((n, r) => n + f(r), 0);
          expect(stats.carriedOver).toBe(sum((r) => r.carried));
          expect(stats.retries).toBe(sum((r) => r.retries));
          expect(stats.requests).toBe(sum((r) => r.requests));
          expect(stats.failedFlushes).toBe(reports.filter((r) => !r.ok).length);
          expect(stats.buffered).toBe(0);
          expect(Object.values(stats.dropped).every((n) => n === 0)).toBe(true);
          // Every attempt the client counted reached the proxy (a reset on a reused socket adds one
          // transport-level attempt the client does not count as a retry).
          expect(proxy.log.length).toBeGreaterThanOrEqual(stats.requests);
        },
      ),
      { numRuns: 8 },
    );
  }, 60_000);
});
