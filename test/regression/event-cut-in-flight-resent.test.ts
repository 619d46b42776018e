import { expect, it } from 'vitest';
import { createMetrics } from '../../src/index.js';
import { testClock } from '../helpers/clock.js';

// 0.1: an event in flight at the deadline could be stored twice (it is sent again with the next flush)
// without being counted in `resent`.
it('an event cut in flight at the deadline is sent again and counted as resent', async () => {
  const bodies: string[] = [];
  let calls = 0;
  const metrics = createMetrics({
    transport: {
      async send(req) {
        bodies.push(req.body);
        if (calls++ === 0) await new Promise((r) => setTimeout(r, 200)); // past the deadline
        return { status: 202 };
      },
    },
    now: testClock(),
    flushInterval: 0,
    onError: () => {},
  });
  metrics.event('Deploy', 'v42');
  await metrics.flush({ timeoutMs: 30 }).catch(() => {});
  expect(metrics.stats().resent).toBe(1);
  await metrics.flush();
  expect(bodies.filter((b) => b.includes('Deploy'))).toHaveLength(2);
  expect(metrics.stats().buffered).toBe(0);
});
