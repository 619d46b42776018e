// Heap growth under hostile workloads stays under the byte budget (DESIGN §11). The workloads are those
// that grew 0.1 to 58–391 MB: busy histograms, a large set, a sketch near its bin cap, megabyte tag
// values. Each runs one simulated hour at the defaults (8 MiB) with a flush per 10-second bucket.
import { describe, expect, it } from 'vitest';
import { createMetrics, type Metrics } from '../../src/index.js';
import type { Transport } from '../../src/types.js';
import { T0, testClock } from '../helpers/clock.js';

const MiB = 1024 * 1024;
const gc = (globalThis as { gc?: () => void }).gc;

/** Heap in use after a full collection, typed-array backing stores (outside the JS heap) included. */
function settledHeap(): number {
  for (let i = 0; i < 3; i++) gc!();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** A transport that accepts and forgets every request. */
const sink: Transport = { send: async () => ({ status: 202 }) };

async function hour(record: (m: Metrics, bucket: number) => void, buckets = 360) {
  const clock = testClock(T0 + 1);
  const before = settledHeap();
  const metrics = createMetrics({ transport: sink, now: clock, flushInterval: 0, onError: () => {} });
  let peak = 0;
  for (let b = 0; b < buckets; b++) {
    record(metrics, b);
    await metrics.flush();
    peak = Math.max(peak, metrics.stats().memoryBytes);
    clock.advance(10);
  }
  const grown = settledHeap() - before;
  const s = metrics.stats();
  // Keep the client alive through the measurement.
  expect(s.flushes).toBe(buckets);
  return { grown, estimate: s.memoryBytes, peak, stats: s };
}

const report = (name: string, r: { grown: number; estimate: number; peak: number }) =>
  console.log(
    `${name}: heap +${(r.grown / MiB).toFixed(1)} MiB, estimate ${(r.estimate / MiB).toFixed(1)} MiB (peak ${(r.peak / MiB).toFixed(1)})`,
  );

describe.skipIf(gc === undefined)('memory stays under maxMemoryBytes (8 MiB)', () => {
  it('200 busy histogram series × 200 samples per bucket', async () => {
    const r = await hour((m, b) => {
      for (let s = 0; s < 200; s++) {
        const tags = [`s:${s}`];
        for (let i = 0; i < 200; i++) m.histogram('lat', (b * 7 + s * 13 + i * 31) % 1000, { tags });
      }
    });
    report('histograms 200×200', r);
    expect(r.peak).toBeLessThanOrEqual(8 * MiB);
    expect(r.grown).toBeLessThan(8 * MiB);
    expect(r.stats.evictedRecords).toBeGreaterThan(0); // the budget did bite
  }, 120_000);

  it('20 histogram series × 1,000 samples per bucket', async () => {
    const r = await hour((m, b) => {
      for (let s = 0; s < 20; s++) {
        const tags = [`s:${s}`];
        for (let i = 0; i < 1000; i++) m.histogram('lat', (b + s * 13 + i * 31) % 5000, { tags });
      }
    });
    report('histograms 20×1000', r);
    expect(r.peak).toBeLessThanOrEqual(8 * MiB);
    expect(r.grown).toBeLessThan(8 * MiB);
  }, 120_000);

  it('one set with 2,000 distinct members per bucket', async () => {
    const r = await hour((m, b) => {
      for (let i = 0; i < 2000; i++) m.set('users', `user-${b}-${i}-0123456789abcdef`);
    });
    report('set 2000/bucket', r);
    expect(r.peak).toBeLessThanOrEqual(8 * MiB);
    expect(r.grown).toBeLessThan(8 * MiB);
  }, 120_000);

  it('histograms past the exact limit, spread over the sketch range', async () => {
    const r = await hour((m, b) => {
      for (let s = 0; s < 5; s++)
        for (let i = 0; i < 5000; i++)
          m.histogram('wide', Math.exp(-40 + ((i * 7919 + b) % 5000) / 62.5), { tags: [`s:${s}`] });
    }, 120);
    report('sketches', r);
    expect(r.peak).toBeLessThanOrEqual(8 * MiB);
    expect(r.grown).toBeLessThan(8 * MiB);
  }, 120_000);

  it('400 distinct 1 MiB tag values', async () => {
    const r = await hour((m, b) => {
      if (b >= 40) return;
      for (let i = 0; i < 10; i++) m.increment('big', 1, { tags: [`k:${b}-${i}`.padEnd(MiB, 'v')] });
    }, 60);
    report('1 MiB tags', r);
    expect(r.peak).toBeLessThanOrEqual(8 * MiB);
    expect(r.grown).toBeLessThan(8 * MiB);
  }, 120_000);
});
