import { expect, it } from 'vitest';
import { createMetrics, type Metrics } from '../../src/index.js';
import { withMetrics } from '../../src/integrations/lambda.js';
import { createMemoryTransport } from '../../src/testing.js';
import { testClock } from '../helpers/clock.js';

// runFlush() counts every error of a failed flush in counters.errors; an integration (or the timer) then
// reports flushError(report) — a wrapper of the same failure — through REPORT_ERROR/report(), which counts
// it again. The same single 503 shows as errors.HTTP_ERROR = 1 after flush() and 2 through withMetrics.
function failing(): Metrics {
  return createMetrics({
    transport: createMemoryTransport({ respond: () => 503 }),
    now: testClock(),
    flushInterval: 0,
    flushTimeoutMs: 60,
    onError: () => {},
  });
}

it('one failed flush counts its error once, whether flush() or an integration ran it', async () => {
  const direct = failing();
  direct.increment('c');
  await direct.flush().catch(() => {});

  const wrapped = failing();
  const handler = withMetrics(wrapped, async () => {
    wrapped.increment('c');
    return 'ok';
  });
  await handler({}, { getRemainingTimeInMillis: () => 10_000 });

  expect(direct.stats().failedFlushes).toBe(1);
  expect(wrapped.stats().failedFlushes).toBe(1);
  expect(wrapped.stats().errors).toEqual(direct.stats().errors);
});
