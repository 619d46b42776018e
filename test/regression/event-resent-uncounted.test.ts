import { expect, it } from 'vitest';
import { createMetrics } from '../../src/index.js';
import { createMemoryTransport } from '../../src/testing.js';
import { testClock } from '../helpers/clock.js';

// Events are not idempotent at Datadog (each POST creates one). After an ambiguous failure (the connection
// broke after the request may have arrived; or a 5xx) the event is posted again, so it may appear twice —
// the same at-least-once case as distributions — but sendEvents() ignores `outcome.ambiguous` and
// stats().resent stays 0: a duplicated event is neither prevented nor counted.
it('an event posted again after an ambiguous failure is counted in stats().resent', async () => {
  let attempts = 0;
  const transport = createMemoryTransport({
    respond: (r) => {
      if (r.path === '/api/v1/events' && attempts++ === 0) throw new Error('socket hang up');
      return 202;
    },
  });
  const metrics = createMetrics({ transport, now: testClock(), flushInterval: 0, onError: () => {} });
  metrics.event('deploy finished', 'v42');
  await metrics.flush();
  expect(transport.requests.filter((r) => r.path === '/api/v1/events')).toHaveLength(2);
  expect(metrics.stats().resent).toBeGreaterThanOrEqual(1);
});
