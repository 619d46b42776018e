import { expect, it } from 'vitest';
import { createMetrics } from '../../src/index.js';
import { withMetrics } from '../../src/integrations/lambda.js';
import { createMemoryTransport } from '../../src/testing.js';
import { testClock } from '../helpers/clock.js';

// checkIntegrationOptions accepts `flushTimeoutMs: 0` (createMetrics itself refuses it: range 1..900000),
// and flushWithin then treats the 0 ms budget as "no time left": every invocation skips its flush and
// reports DEADLINE_EXCEEDED, so with this option nothing is ever sent. DESIGN §5: bad options throw
// RangeError naming the option when the integration is created.
it('withMetrics refuses flushTimeoutMs: 0 instead of never flushing', async () => {
  const transport = createMemoryTransport();
  const metrics = createMetrics({ transport, now: testClock(), flushInterval: 0, onError: () => {} });
  let wrapped: (e: unknown, c: { getRemainingTimeInMillis: () => number }) => Promise<unknown>;
  try {
    wrapped = withMetrics(
      metrics,
      async () => {
        metrics.increment('c');
        return 'ok';
      },
      { flushTimeoutMs: 0 },
    );
  } catch (error) {
    expect(error).toBeInstanceOf(RangeError);
    return;
  }
  await wrapped({}, { getRemainingTimeInMillis: () => 3000 });
  expect(transport.requests.length).toBeGreaterThan(0);
});
