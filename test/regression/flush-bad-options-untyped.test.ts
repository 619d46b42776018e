import { expect, it } from 'vitest';
import { createMetrics, isMetricsError } from '../../src/index.js';
import { createMemoryTransport } from '../../src/testing.js';
import { testClock } from '../helpers/clock.js';

// flush() options are read without checks: flush(null) rejects with "Cannot read properties of null",
// flush({ signal: {} }) with "options.signal?.addEventListener is not a function" — neither a MetricsError
// (DESIGN §6: flush rejects with a typed error) nor a TypeError naming the option, as createMetrics() does.
// (The data stays buffered; the flush deadline timer is also left running for flushTimeoutMs.)
function named(error: unknown): boolean {
  if (isMetricsError(error)) return true;
  return error instanceof TypeError && /^handlerstats: option "/.test(error.message);
}

it('flush() with bad options rejects with a MetricsError or a TypeError naming the option', async () => {
  const metrics = createMetrics({
    transport: createMemoryTransport(),
    now: testClock(),
    flushInterval: 0,
    onError: () => {},
  });
  metrics.increment('c');
  for (const options of [null, { signal: {} }]) {
    const error = await metrics.flush(options as never).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (error !== undefined) expect(named(error)).toBe(true);
  }
});
