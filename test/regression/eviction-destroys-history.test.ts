import { expect, it } from 'vitest';
import { createMetrics } from '../../src/index.js';
import { createMemoryTransport } from '../../src/testing.js';
import { T0, testClock } from '../helpers/clock.js';
import { lastWriteWins, seriesOf } from '../helpers/wire.js';

// 0.1: under maxBufferedPoints pressure whole oldest buckets were evicted, fully-sent records included
// (they hold no pending points, so it freed nothing), and the bucket-wide watermark then refused late
// points for every series — even ones that never had a record in that bucket — for up to an hour.
it('pressure on unsent points never evicts sent records, and refusals are per series', async () => {
  const clock = testClock();
  const transport = createMemoryTransport();
  const metrics = createMetrics({
    transport,
    now: clock,
    flushInterval: 0,
    onError: () => {},
    maxBufferedPoints: 3,
  });
  metrics.increment('a', 1);
  metrics.increment('b', 1);
  await metrics.flush(); // a and b at T0 are sent records now
  clock.advance(10);
  for (const name of ['c', 'd', 'e', 'f']) metrics.increment(name, 1); // the 4th point is one too many
  const s = metrics.stats();
  expect(s.dropped.overflow).toBe(1); // the newest point, since nothing older was unsent
  expect(s.evictedRecords).toBe(0); // sent records were left alone: forgetting them frees no unsent point
  await metrics.flush();
  metrics.increment('a', 2, { timestamp: T0 + 5 }); // merges with a's sent record
  metrics.increment('z', 4, { timestamp: T0 + 5 }); // a series new to bucket T0: nothing to overwrite
  expect(metrics.stats().dropped.evicted).toBe(0);
  transport.clear();
  await metrics.flush();
  const stored = lastWriteWins(seriesOf(transport.requests));
  expect(stored.get('a{}')?.get(T0)).toBe(3);
  expect(stored.get('z{}')?.get(T0)).toBe(4);
});

it('a forgotten record refuses later points for its own series only', async () => {
  const clock = testClock();
  const transport = createMemoryTransport();
  const metrics = createMetrics({
    transport,
    now: clock,
    flushInterval: 0,
    onError: () => {},
    maxRetainedBuckets: 2,
  });
  metrics.increment('a', 1);
  await metrics.flush();
  clock.advance(10);
  metrics.increment('b', 1);
  metrics.increment('c', 1);
  await metrics.flush(); // three sent records, two kept: a@T0 is forgotten
  expect(metrics.stats().evictedRecords).toBe(1);
  metrics.increment('a', 1, { timestamp: T0 + 1 }); // sent alone it would overwrite a@T0 = 1 with 1
  metrics.increment('b', 5, { timestamp: T0 + 1 }); // b never had a T0 record
  expect(metrics.stats().dropped.evicted).toBe(1);
  transport.clear();
  await metrics.flush();
  const stored = lastWriteWins(seriesOf(transport.requests));
  expect(stored.get('a{}')?.get(T0)).toBeUndefined();
  expect(stored.get('b{}')?.get(T0)).toBe(5);
});
