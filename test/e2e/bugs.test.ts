// Client bugs found by the e2e suite. These tests fail until the client is fixed; each states the
// DESIGN rule it checks. Move a test to its topic file once it passes.
import { expect, it } from 'vitest';
import { withMetrics } from '../../src/integrations/lambda.js';
import { testClock } from '../helpers/clock.js';
import { alignedBase, describeE2E, e2eClient, freshPrefix, readBack } from './support/suite.js';
import { datadogSeriesKey } from './support/vm-series.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describeE2E('e2e: client bugs', (env) => {
  // DESIGN §3: "flush() sends every buffered bucket, the open one included". When a timer flush
  // (closed buckets only) is already queued behind a running flush, flush() returns that queued
  // timer flush, so the open bucket stays behind (a Lambda would freeze with it unsent).
  it('flush() during a running flush sends the open bucket even when a timer flush is queued', async () => {
    const prefix = freshPrefix('bug');
    const base = alignedBase();
    const clock = testClock(base + 2); // bucket `base` stays open for the whole test
    const { metrics } = e2eClient(env(), prefix, clock, { flushInterval: 0.1 });
    const proxy = env().proxy;
    metrics.increment('c', 1);
    proxy.failNext(1, { kind: 'delay', ms: 1500 });
    const first = metrics.flush(); // running for ≥ 1.5 s
    // Node runs due timers in expiry order: the 100 ms timer tick (queues a closed-only flush behind
    // `first`) always runs before this 300 ms sleep ends, and both before the proxy answers.
    await sleep(300);
    metrics.increment('c', 2);
    const second = metrics.flush();
    await first;
    await second;
    expect(metrics.stats().buffered).toBe(0);
    const { state } = await readBack(env(), prefix, base - 60, base + 60);
    expect(state[datadogSeriesKey(`${prefix}.c`, [])]).toEqual({ [base]: 3 });
    await metrics.close();
  });

  // DESIGN §3: "A handler is never pushed past its own timeout by metrics." A flush called while
  // another one runs waits for it without its own deadline: here the invocation has 200 ms of budget
  // (700 ms left − 500 ms margin) but returns only after the slow timer flush, 3 s later.
  it("the invocation's flush gives up at its own deadline while a slow timer flush runs", async () => {
    const prefix = freshPrefix('bug');
    const base = alignedBase();
    const clock = testClock(base + 2);
    const { metrics } = e2eClient(env(), prefix, clock, { flushInterval: 0.1 });
    const proxy = env().proxy;
    metrics.increment('c', 1);
    clock.set((base + 12) * 1000); // bucket `base` is closed: the timer sends it
    proxy.failNext(1, { kind: 'delay', ms: 3000 });
    await expect.poll(() => proxy.log.length, { timeout: 10_000, interval: 20 }).toBeGreaterThanOrEqual(1);

    const handler = withMetrics(metrics, async () => {
      metrics.increment('c', 2);
      return 'ok';
    });
    const order: string[] = [];
    const invocation = handler({}, { getRemainingTimeInMillis: () => 700 }).then((r) =>
      order.push(`handler ${r}`),
    );
    const slow = proxy.settled().then(() => order.push('slow timer request answered'));
    await Promise.all([invocation, slow]);
    // An ordering with a 15× margin (200 ms budget vs 3 s), not a duration measurement.
    expect(order).toEqual(['handler ok', 'slow timer request answered']);

    await metrics.close(); // and nothing was lost
    const { state } = await readBack(env(), prefix, base - 60, base + 60);
    expect(state[datadogSeriesKey(`${prefix}.c`, [])]).toEqual({ [base]: 1, [base + 10]: 2 });
  });
});
