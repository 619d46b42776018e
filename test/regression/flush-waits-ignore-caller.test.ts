import { expect, it } from 'vitest';
import { createMetrics, type Transport } from '../../src/index.js';
import { withMetrics } from '../../src/integrations/lambda.js';
import { createMemoryTransport } from '../../src/testing.js';
import { T0, testClock } from '../helpers/clock.js';
import { seriesOf } from '../helpers/wire.js';

// flushOnce() hands a caller the already-queued flush (its includeOpen and its options), and waits for a
// running flush without any bound: the caller's own deadline/signal and "open bucket included" are lost.

it('flush() called while a timer flush is queued still sends the open bucket', async () => {
  const clock = testClock();
  const inner = createMemoryTransport();
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => {
    release = r;
  });
  let calls = 0;
  const transport: Transport = {
    async send(req, signal) {
      if (calls++ === 0) await gate;
      return inner.send(req, signal);
    },
  };
  const metrics = createMetrics({ transport, now: clock, onError: () => {}, flushInterval: 0.05 });
  try {
    metrics.increment('c', 1);
    const first = metrics.flush(); // in flight
    metrics.increment('c', 1); // same, still open bucket
    await new Promise((r) => setTimeout(r, 150)); // the timer queues a closed-buckets-only flush
    const second = metrics.flush();
    release();
    await first;
    await second;
    const points = seriesOf(inner.requests).flatMap((s) => s.points);
    expect(points.at(-1)).toEqual([T0, 2]);
  } finally {
    release();
    await metrics.close().catch(() => {});
  }
});

it('a Lambda invocation is not held past its remaining time by a flush already running', async () => {
  const clock = testClock();
  // An intake that never answers (honours the abort signal).
  const transport: Transport = {
    send: (_req, signal) =>
      new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
  };
  const metrics = createMetrics({
    transport,
    now: clock,
    flushInterval: 0,
    flushTimeoutMs: 3000,
    onError: () => {},
  });
  metrics.increment('c');
  const background = metrics.flush().catch(() => {}); // e.g. a timer flush, running for up to 3 s
  const handler = withMetrics(metrics, async () => 'ok');
  const started = performance.now();
  // 700 ms left, 500 ms margin: the flush may take 200 ms.
  const result = await handler({}, { getRemainingTimeInMillis: () => 700 });
  const took = performance.now() - started;
  expect(result).toBe('ok');
  expect(took).toBeLessThan(700);
  await background;
});
