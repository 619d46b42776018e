import { expect, it } from 'vitest';
import { createMetrics, type Transport } from '../../src/index.js';
import { createMemoryTransport } from '../../src/testing.js';
import { T0, testClock } from '../helpers/clock.js';
import { lastWriteWins, seriesOf } from '../helpers/wire.js';

/** A transport whose first request waits for `release()`. */
function gated() {
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
  return { transport, inner, release: () => release() };
}

// 0.1: a record evicted while its flush was in flight was committed anyway, and its points counted as
// overflow although they landed. 0.2: records in flight are never evicted; `buffered` counts them until
// the backend answered, and only sent records count as `retained`.
it('records in flight are not evicted; buffered/retained stay exact', async () => {
  const clock = testClock();
  const { transport, inner, release } = gated();
  const metrics = createMetrics({
    transport,
    now: clock,
    flushInterval: 0,
    onError: () => {},
    maxRetainedBuckets: 2,
  });
  metrics.distribution('d', 1);
  metrics.increment('c', 1);
  const inFlight = metrics.flush();
  clock.advance(10);
  metrics.increment('e', 1);
  metrics.increment('f', 1);
  expect(metrics.stats().buffered).toBe(4); // d and c in flight, e and f pending
  release();
  await inFlight;
  expect(metrics.stats()).toMatchObject({ buffered: 2, retained: 1 });
  await metrics.flush(); // e and f sent: three sent records, two may be kept: c's (the oldest) goes
  expect(metrics.stats()).toMatchObject({ buffered: 0, retained: 2, evictedRecords: 1 });
  expect(metrics.stats().dropped.overflow).toBe(0);
  const stored = lastWriteWins(seriesOf(inner.requests));
  expect(stored.get('c{}')?.get(T0)).toBe(1);
  expect(stored.get('f{}')?.get(T0 + 10)).toBe(1);
});
