import { expect, it } from 'vitest';
import { createMetrics } from '../../src/index.js';
import { createMemoryTransport } from '../../src/testing.js';
import { T0, testClock } from '../helpers/clock.js';
import { lastWriteWins, seriesOf } from '../helpers/wire.js';

// 0.1: values counted as `rejected` after a 400 still arrived with a later merged re-send of the bucket,
// so `stats().dropped` claimed a loss that never happened. 0.2: a refused request's points leave the
// record; the backend keeps what it had, later points merge with that, and `dropped` is what is missing.
it('points refused by a 400 are counted once and never re-sent', async () => {
  const clock = testClock();
  let status = 202;
  const transport = createMemoryTransport({ respond: () => status });
  const metrics = createMetrics({ transport, now: clock, flushInterval: 0, onError: () => {} });
  const delivered = () => seriesOf(transport.requests.filter((_, i) => codes[i] === 202));
  const codes: number[] = [];
  const flush = async (s: number) => {
    status = s;
    const before = transport.requests.length;
    await metrics.flush().catch(() => {});
    for (let i = before; i < transport.requests.length; i++) codes.push(s);
  };
  metrics.increment('c', 3);
  await flush(202); // stored 3
  metrics.increment('c', 2);
  await flush(400); // refused: 2 never arrives
  metrics.increment('c', 1);
  await flush(202); // sends 3 + 1
  expect(lastWriteWins(delivered()).get('c{}')?.get(T0)).toBe(4);
  expect(metrics.stats().dropped.rejected).toBe(1); // one point: the +2
  expect(metrics.stats().buffered).toBe(0);
});
