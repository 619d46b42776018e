import { expect, it } from 'vitest';
import { createMetrics } from '../../src/index.js';
import { createMemoryTransport } from '../../src/testing.js';
import { testClock } from '../helpers/clock.js';

// A network error after the request reached the intake is ambiguous; the retry inside the same flush
// succeeds. The value may now be counted twice by Datadog, but stats().resent stays 0: the resend is only
// counted when the flush gives up (retry-later), not when the in-flush retry succeeds.
it('a distribution resent after an ambiguous failure is counted even when the retry succeeds', async () => {
  let n = 0;
  const transport = createMemoryTransport({
    respond: (r) => {
      if (r.path === '/api/v1/distribution_points' && n++ === 0) throw new Error('socket hang up');
      return 202;
    },
  });
  const metrics = createMetrics({ transport, now: testClock(), flushInterval: 0, onError: () => {} });
  metrics.distribution('d', 1);
  await metrics.flush();
  expect(transport.requests.filter((r) => r.path === '/api/v1/distribution_points')).toHaveLength(2);
  expect(metrics.stats().resent).toBe(1);
});
