// DESIGN §15: no signal or listener outlives its flush. `AbortSignal.any` over a long-lived parent keeps
// every composite alive in some runtimes; handlerstats adds one listener per caller and removes it when
// that caller returns. 10^5 flushes with one long-lived signal: nothing piles up.
import { getEventListeners } from 'node:events';
import { expect, it } from 'vitest';
import { createMetrics } from '../../src/index.js';
import { testClock } from '../helpers/clock.js';

const gc = (globalThis as { gc?: () => void }).gc;

it.skipIf(gc === undefined)(
  '10^5 flushes with one long-lived signal leave no listener and no heap behind',
  async () => {
    const clock = testClock();
    const metrics = createMetrics({
      transport: { send: async () => ({ status: 202 }) },
      now: clock,
      flushInterval: 0,
    });
    const parent = new AbortController(); // e.g. a server's shutdown signal, passed to every flush
    const heap = () => {
      for (let i = 0; i < 3; i++) gc!();
      return process.memoryUsage().heapUsed;
    };
    for (let i = 0; i < 1000; i++) await metrics.flush({ signal: parent.signal }); // warm up
    const before = heap();
    for (let i = 0; i < 100_000; i++) {
      metrics.increment('c', 1);
      if (i % 1000 === 0) clock.advance(10);
      await metrics.flush({ signal: parent.signal, timeoutMs: 1000 });
    }
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(0);
    const grown = heap() - before;
    console.log(
      `10^5 flushes: heap +${(grown / 1024).toFixed(0)} KiB, stats ${metrics.stats().flushes} flushes`,
    );
    expect(grown).toBeLessThan(2 * 1024 * 1024);
    expect(metrics.stats().flushes).toBe(101_000);
  },
  120_000,
);
