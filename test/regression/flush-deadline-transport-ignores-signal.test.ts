import { expect, it } from 'vitest';
import { createMetrics, type Transport } from '../../src/index.js';
import { testClock } from '../helpers/clock.js';

// runFlush awaits the transport without racing the deadline: a custom Transport (or a non-abortable step
// inside one) that does not honour the signal holds flush() — and a Lambda handler — past its deadline.
it('flush() settles at its deadline even when a transport ignores the abort signal', async () => {
  const transport: Transport = {
    send: () => new Promise((resolve) => setTimeout(() => resolve({ status: 202 }), 3000)),
  };
  const metrics = createMetrics({ transport, now: testClock(), flushInterval: 0, onError: () => {} });
  metrics.increment('c');
  const started = performance.now();
  await metrics.flush({ timeoutMs: 100 }).catch(() => {});
  expect(performance.now() - started).toBeLessThan(1000);
});
