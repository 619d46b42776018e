import { describe, expect, it } from 'vitest';
import { createMetrics, type MetricsError } from '../../src/index.js';
import { startIntake } from '../../src/intake/index.js';
import { withFetchMetrics } from '../../src/integrations/fetch-handler.js';
import { withMetrics } from '../../src/integrations/lambda.js';
import { alignedBase, describeE2E, freshPrefix, misaligned, readBack } from '../e2e/support/suite.js';
import { Truth, withVmPrecision } from '../e2e/support/truth.js';
import { testClock } from '../helpers/clock.js';
import type { Fault } from '../helpers/fault-proxy.js';
import { interleave, MB, sampler, seeded, settledHeap } from './support/load.js';
import { diffDistributions, storedSeries, TruthLog } from './support/truth-log.js';

const INVOCATION_TIMEOUT_MS = 3000;
const CONCURRENCY = 250;
const WAVES = 8;
const SHARDS = 2000;

/** Faults the proxy injects during each wave (index = wave): flushes fail while invocations run. */
const WAVE_FAULTS: { n: number; fault: Fault }[][] = [
  [],
  [{ n: 6, fault: { kind: 'status', status: 503 } }],
  [{ n: 4, fault: { kind: 'ambiguous' } }],
  [{ n: 4, fault: { kind: 'reset' } }],
  [{ n: 2, fault: { kind: 'status', status: 429, headers: { 'retry-after': '1' } } }],
  [{ n: 10_000, fault: { kind: 'status', status: 502 } }], // the whole wave: every flush fails
  [{ n: 6, fault: { kind: 'delay', ms: 150 } }],
  [{ n: 3, fault: { kind: 'status', status: 500 } }],
];

describeE2E('load: hundreds of concurrent invocations, thousands of series, failing flushes', (env) => {
  it(`${CONCURRENCY} concurrent Lambda invocations × ${WAVES} waves: VictoriaMetrics holds the truth, memory stays bounded`, async () => {
    const proxy = env().proxy;
    const prefix = freshPrefix('load');
    const base = alignedBase();
    const clock = testClock(base + 1);
    const truth = new Truth(10);
    const errors: MetricsError[] = [];
    const bounds = { maxBufferedPoints: 30_000, maxRetainedBuckets: 30_000 };
    const metrics = createMetrics({
      apiKey: 'test',
      intakeUrl: `${proxy.url}/datadog`,
      namespace: prefix,
      flushInterval: 1, // timer flushes of closed buckets run alongside the invocations' own
      now: clock,
      env: {},
      onError: (e) => errors.push(e),
      ...bounds,
    });
    const full = (name: string): string => `${prefix}.${name}`;
    const random = seeded(42);
    let calls = 0;

    const handler = withMetrics(metrics, async (event: { n: number }) => {
      const n = event.n;
      await interleave(random);
      const t = clock.seconds();
      for (let j = 0; j < 16; j++) {
        const tags = [`shard:${(n * 16 + j) % SHARDS}`];
        const v = 1 + (j % 3);
        metrics.increment('hits', v, { tags });
        truth.count(full('hits'), t, v, tags);
      }
      const zone = [`zone:${n % 200}`];
      metrics.gauge('temp', n, { tags: zone });
      truth.gauge(full('temp'), t, n, zone);
      const route = [`route:${n % 50}`];
      metrics.histogram('lat', n % 97, { tags: route });
      truth.histogram(full('lat'), t, n % 97, route);
      const tenant = [`tenant:${n % 20}`];
      metrics.set('users', `u${n % 500}`, { tags: tenant });
      truth.set(full('users'), t, `u${n % 500}`, tenant);
      if (n % 10 === 0) {
        // A late point into the previous bucket, most likely already sent: must merge, not overwrite.
        metrics.increment('late', 1, { timestamp: t - 10 });
        truth.count(full('late'), t - 10, 1);
      }
      calls += 16 + 3 + (n % 10 === 0 ? 1 : 0);
      await interleave(random);
      return n;
    });

    const watch = sampler(metrics);
    const heapBefore = settledHeap();
    let slowest = 0;
    for (let w = 0; w < WAVES; w++) {
      for (const { n, fault } of WAVE_FAULTS[w]!) proxy.failNext(n, fault);
      const wave = Array.from({ length: CONCURRENCY }, async (_, k) => {
        const n = w * CONCURRENCY + k;
        const started = performance.now();
        const context = {
          getRemainingTimeInMillis: () => INVOCATION_TIMEOUT_MS - (performance.now() - started),
        };
        const result = await handler({ n }, context);
        slowest = Math.max(slowest, performance.now() - started);
        watch.sample();
        return result === n;
      });
      expect((await Promise.all(wave)).every(Boolean)).toBe(true);
      proxy.recover();
      clock.advance(4);
    }
    await metrics.flush();
    const final = watch.sample();
    watch.stop();
    await metrics.close();
    const heapAfter = settledHeap();

    // Latency, bounds, accounting.
    expect(slowest).toBeLessThan(INVOCATION_TIMEOUT_MS);
    expect(watch.peaks.buffered).toBeLessThanOrEqual(bounds.maxBufferedPoints);
    expect(watch.peaks.retained).toBeLessThanOrEqual(bounds.maxRetainedBuckets);
    expect(watch.peaks.heapUsed - heapBefore).toBeLessThan(400 * MB);
    expect(heapAfter - heapBefore).toBeLessThan(100 * MB);
    expect(final.buffered).toBe(0);
    expect(final.recorded).toBe(calls);
    expect(final.dropped).toEqual({
      invalid: 0,
      outOfWindow: 0,
      expired: 0,
      overflow: 0,
      evicted: 0,
      rejected: 0,
      collision: 0,
    });
    expect(final.failedFlushes).toBeGreaterThan(0); // the faults did bite …
    expect(final.carriedOver).toBeGreaterThan(0);
    expect(errors.every((e) => ['HTTP_ERROR', 'NETWORK_ERROR', 'DEADLINE_EXCEEDED'].includes(e.code))).toBe(
      true,
    );

    // … and what a last-write-wins backend holds is exactly the truth.
    const { history, state } = await readBack(env(), prefix, base - 60, base + 600);
    const expected = truth.expected();
    expect(history.problems).toEqual([]);
    expect(misaligned(state, 10)).toEqual([]);
    expect(Object.keys(expected).length).toBeGreaterThan(2000);
    expect(withVmPrecision(state, expected)).toEqual(expected);
    if (process.env.FAULTS_SUMMARY !== undefined)
      console.log(
        JSON.stringify({
          phase: 'vm',
          invocations: CONCURRENCY * WAVES,
          calls,
          series: Object.keys(expected).length,
          seriesBuckets: Object.values(expected).reduce((n, p) => n + Object.keys(p).length, 0),
          vmSamples: [...history.writes.values()].reduce(
            (n, m) => n + [...m.values()].reduce((k, l) => k + l.length, 0),
            0,
          ),
          flushes: final.flushes,
          failedFlushes: final.failedFlushes,
          requests: final.requests,
          retries: final.retries,
          carriedOver: final.carriedOver,
          slowestMs: Math.round(slowest),
          peaks: watch.peaks,
          heapPeakGrowthMB: (watch.peaks.heapUsed - heapBefore) / MB,
          heapAfterGrowthMB: (heapAfter - heapBefore) / MB,
        }),
      );
  }, 120_000);
});

describe('load: tight memory bounds under unbounded cardinality (Workers-style isolate)', () => {
  it('buffered/retained never exceed the options, drops are counted, nothing is counted twice', async () => {
    const intake = await startIntake({ quiet: true, maxSeries: 100_000, maxPoints: 2_000_000 });
    const clock = testClock(alignedBase() + 1);
    const bounds = { maxBufferedPoints: 2000, maxRetainedBuckets: 3000 };
    const log = new TruthLog(10);
    const metrics = createMetrics({
      apiKey: 'test',
      intakeUrl: intake.url,
      namespace: 'iso',
      flushInterval: 0,
      now: clock,
      env: {},
      onError: () => {},
      ...bounds,
    });
    const random = seeded(7);
    const waits: Promise<unknown>[] = [];
    const ctx = { waitUntil: (p: Promise<unknown>) => void waits.push(p) };
    let n = 0;
    const worker = withFetchMetrics(metrics, {
      async fetch(request: { n: number }, _env: unknown, _ctx: typeof ctx) {
        await interleave(random);
        const t = clock.seconds();
        for (let j = 0; j < 12; j++) {
          // Unbounded cardinality: new series every request.
          const tags = [`user:${request.n * 12 + j}`];
          metrics.increment('hits', 1, { tags });
          log.ops.push({ inv: request.n, kind: 'count', name: 'iso.hits', t, value: 1, tags });
        }
        const v = request.n;
        metrics.distribution('size', v, { tags: [`route:${v % 7}`] });
        log.ops.push({
          inv: v,
          kind: 'distribution',
          name: 'iso.size',
          t,
          value: v,
          tags: [`route:${v % 7}`],
        });
        return 'ok';
      },
    });
    const watch = sampler(metrics, 5);
    settledHeap();
    let heapAtThird = 0;
    const ROUNDS = 12;
    for (let round = 0; round < ROUNDS; round++) {
      if (round % 3 === 1) intake.faults.inject({ status: 503, count: 8 });
      if (round % 3 === 2) intake.faults.inject({ reset: true, count: 4 });
      const batch = Array.from({ length: 200 }, () => worker.fetch({ n: n++ }, {}, ctx));
      expect(await Promise.all(batch)).toEqual(Array(200).fill('ok'));
      await Promise.all(waits.splice(0));
      intake.faults.clear();
      clock.advance(7);
      if (round === Math.floor(ROUNDS / 3)) heapAtThird = settledHeap();
    }
    await metrics.flush().catch(() => {});
    await metrics.flush();
    const s = watch.sample();
    watch.stop();
    const heapEnd = settledHeap();
    await metrics.close();

    expect(watch.peaks.buffered).toBeLessThanOrEqual(bounds.maxBufferedPoints);
    expect(watch.peaks.retained).toBeLessThanOrEqual(bounds.maxRetainedBuckets);
    // Series outlive their records while they guard a forgotten bucket; the byte budget bounds them all.
    expect(watch.peaks.memoryBytes).toBeLessThanOrEqual(8 * MB);
    // 4 × the records a full client holds is still far from a leak of 31,200 series.
    expect(heapEnd - heapAtThird).toBeLessThan(30 * MB);
    expect(s.buffered).toBe(0);
    const lost = s.dropped.overflow + s.dropped.evicted + s.dropped.expired;
    expect(lost).toBeGreaterThan(0); // the bounds did bite
    expect(s.dropped.invalid + s.dropped.outOfWindow + s.dropped.rejected).toBe(0);

    // Nothing counted twice: no stored count exceeds the truth, no distribution value arrives more
    // often than recorded beyond the re-sends counted in `resent`; what is missing was counted as dropped.
    const snap = intake.received();
    const expected = log.series();
    const stored = storedSeries(snap);
    const over: string[] = [];
    let missingCounts = 0;
    for (const [key, points] of Object.entries(expected))
      for (const [t, v] of Object.entries(points)) {
        const got = stored[key]?.[Number(t)];
        if (got === undefined) missingCounts += v;
        else if (got > v) over.push(`${key}@${t}: ${got} > ${v}`);
        else missingCounts += v - got;
      }
    expect(over).toEqual([]);
    for (const key of Object.keys(stored)) expect(expected[key]).toBeDefined();
    const dist = diffDistributions(snap, log.distributions());
    expect(dist.foreign).toEqual([]);
    expect(dist.extra).toBeLessThanOrEqual(s.resent);
    expect(missingCounts + dist.missing.length).toBe(lost); // every loss counted, every count a loss
    if (process.env.FAULTS_SUMMARY !== undefined)
      console.log(
        JSON.stringify({
          phase: 'bounded',
          requests: n,
          points: log.points(),
          series: Object.keys(expected).length,
          dropped: s.dropped,
          resent: s.resent,
          peaks: watch.peaks,
          heapGrowthAfterFirstThirdMB: (heapEnd - heapAtThird) / MB,
          missingCounts,
          missingDistributionValues: dist.missing.length,
          extraDistributionValues: dist.extra,
        }),
      );
    await intake.close();
  }, 60_000);
});
