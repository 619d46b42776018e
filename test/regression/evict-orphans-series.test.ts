import { expect, it } from 'vitest';
import { createMetrics } from '../../src/index.js';
import { createMemoryTransport } from '../../src/testing.js';
import { T0, testClock } from '../helpers/clock.js';
import { lastWriteWins, seriesOf } from '../helpers/wire.js';

// makeRoom() evicts the series' only (older) record while recording into that very series; the ledger then
// unregisters the Series, the new cell is attached to the orphan, and the next call creates a second Series
// with the same identity. One payload then carries two `c` entries for one bucket: the backend keeps one.
it('eviction while recording into a series does not split it into two series', async () => {
  const clock = testClock();
  const transport = createMemoryTransport();
  const metrics = createMetrics({
    transport,
    now: clock,
    flushInterval: 0,
    onError: () => {},
    maxRetainedBuckets: 3,
  });
  metrics.increment('c', 1);
  metrics.increment('z', 1);
  await metrics.flush();
  clock.advance(10);
  metrics.increment('x', 1); // 3 records retained
  metrics.increment('c', 2); // evicts bucket T0 (c and z) to make room
  metrics.increment('c', 3);
  transport.clear();
  await metrics.flush();
  const c = seriesOf(transport.requests).filter((s) => s.metric === 'c');
  expect(c).toHaveLength(1);
  expect(
    lastWriteWins(c)
      .get('c{}')
      ?.get(T0 + 10),
  ).toBe(5);
});
