import { expect, it } from 'vitest';
import { createMetrics, type Transport } from '../../src/index.js';
import { createMemoryTransport } from '../../src/testing.js';
import { testClock } from '../helpers/clock.js';

// A record evicted while its flush is in flight is later committed anyway: pending and retained are
// decremented a second time (and the series unregistered twice). stats() drifts negative.
it('eviction of an in-flight bucket keeps buffered/retained exact', async () => {
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
  const metrics = createMetrics({
    transport,
    now: clock,
    flushInterval: 0,
    onError: () => {},
    maxRetainedBuckets: 2,
  });
  metrics.distribution('d', 1);
  const inFlight = metrics.flush();
  clock.advance(10);
  metrics.distribution('e', 1);
  metrics.distribution('f', 1); // evicts bucket T0, whose value is in flight
  release();
  await inFlight;
  expect(metrics.stats().buffered).toBe(2);
  expect(metrics.stats().retained).toBe(2);
  await metrics.flush();
  expect(metrics.stats().buffered).toBe(0);
  expect(metrics.stats().retained).toBe(0);
});
