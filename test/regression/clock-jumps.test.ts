import { expect, it } from 'vitest';
import { createMetrics } from '../../src/index.js';
import { createMemoryTransport } from '../../src/testing.js';
import { T0, testClock } from '../helpers/clock.js';
import { lastWriteWins, seriesOf } from '../helpers/wire.js';

// 0.1: a forward-then-back clock jump expired a sent record without moving the watermark, so a later point
// was sent alone and overwrote the stored total; a clock stepped back sent a bucket an hour "in the
// future", which Datadog drops while the client counted it as sent.
it('a record expired by a forward jump refuses later points for its bucket after the clock comes back', async () => {
  const clock = testClock();
  const transport = createMemoryTransport();
  const metrics = createMetrics({ transport, now: clock, flushInterval: 0, onError: () => {} });
  metrics.increment('c', 5);
  await metrics.flush(); // the backend holds 5 at T0
  clock.advance(7200);
  await metrics.flush(); // the record ages out of the window here
  clock.set((T0 + 3) * 1000); // and the clock comes back
  metrics.increment('c', 1); // bucket T0 again: sent alone, 1 would replace 5
  expect(metrics.stats().dropped.evicted).toBe(1);
  transport.clear();
  await metrics.flush();
  expect(seriesOf(transport.requests)).toEqual([]);
});

it('a bucket too far ahead at send time (the clock stepped back) is not sent and is counted', async () => {
  const clock = testClock();
  const transport = createMemoryTransport();
  const metrics = createMetrics({ transport, now: clock, flushInterval: 0, onError: () => {} });
  metrics.increment('c', 1);
  metrics.increment('later', 1, { timestamp: T0 + 1 });
  clock.set((T0 - 3600) * 1000); // NTP steps the clock back an hour before the flush
  const report = await metrics.flush();
  expect(seriesOf(transport.requests)).toEqual([]);
  expect(report.dropped).toBe(2);
  expect(metrics.stats().dropped.outOfWindow).toBe(2);
  expect(metrics.stats().buffered).toBe(0);
});

it('the window is checked at both edges at send time: what is inside goes, what is outside is counted', async () => {
  const clock = testClock();
  const transport = createMemoryTransport();
  const metrics = createMetrics({ transport, now: clock, flushInterval: 0, onError: () => {} });
  metrics.increment('c', 1, { timestamp: T0 + 500 }); // 8 min ahead: accepted
  clock.advance(-200); // now 11.3 min behind it
  await metrics.flush();
  expect(metrics.stats().dropped.outOfWindow).toBe(1);
  clock.advance(400);
  metrics.increment('c', 2, { timestamp: T0 + 500 });
  await metrics.flush();
  expect(
    lastWriteWins(seriesOf(transport.requests))
      .get('c{}')
      ?.get(T0 + 500),
  ).toBe(2);
});

it('a step back larger than the whole window starts over instead of refusing an hour of points', async () => {
  const clock = testClock();
  const transport = createMemoryTransport();
  const metrics = createMetrics({ transport, now: clock, flushInterval: 0, onError: () => {} });
  clock.advance(3 * 3600); // a clock three hours fast…
  metrics.increment('c', 1);
  await metrics.flush();
  clock.set((T0 + 1) * 1000); // …is corrected
  await metrics.flush();
  metrics.increment('c', 2);
  transport.clear();
  await metrics.flush();
  expect(lastWriteWins(seriesOf(transport.requests)).get('c{}')?.get(T0)).toBe(2);
  expect(metrics.stats().dropped.evicted).toBe(0);
});
