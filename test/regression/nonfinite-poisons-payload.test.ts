import { expect, it } from 'vitest';
import { createMetrics, type MetricsError } from '../../src/index.js';
import { createMemoryTransport } from '../../src/testing.js';
import { T0, testClock } from '../helpers/clock.js';
import { lastWriteWins, seriesOf } from '../helpers/wire.js';

// 0.1: histogram('h', 1e308) twice overflowed `.sum`/`.avg` to Infinity; the body carried a bare
// `Infinity` (not JSON), the intake answered 400 and every other series of that request was lost, again at
// every later flush of that bucket. A clock returning NaN put NaN on the wire.
it('a value that would make an aggregate non-finite is refused alone; the rest of the payload is unaffected', async () => {
  const transport = createMemoryTransport(); // parses every body as JSON: `Infinity` would throw
  const errors: MetricsError[] = [];
  const metrics = createMetrics({
    transport,
    now: testClock(),
    flushInterval: 0,
    onError: (e) => errors.push(e),
  });
  metrics.histogram('h', 1e308);
  metrics.histogram('h', 1e308); // .sum would be Infinity
  metrics.increment('other', 3);
  metrics.increment('big', Number.MAX_VALUE);
  metrics.increment('big', Number.MAX_VALUE); // the count total would be Infinity
  const report = await metrics.flush();
  expect(report.ok).toBe(true);
  const stored = lastWriteWins(seriesOf(transport.requests));
  expect(stored.get('other{}')?.get(T0)).toBe(3);
  expect(stored.get('h.count{}')?.get(T0)).toBe(1);
  expect(stored.get('h.avg{}')?.get(T0)).toBe(1e308);
  expect(stored.get('big{}')?.get(T0)).toBe(Number.MAX_VALUE);
  expect(metrics.stats().dropped.invalid).toBe(2);
  expect(errors.find((e) => e.code === 'INVALID_VALUE')?.details).toMatchObject({ metric: 'h' });
  for (const s of seriesOf(transport.requests))
    for (const [, v] of s.points) expect(Number.isFinite(v)).toBe(true);
});

it('a clock returning NaN drops the point (counted) and sends nothing non-finite', async () => {
  const transport = createMemoryTransport();
  let now = (T0 + 1) * 1000;
  const metrics = createMetrics({ transport, now: () => now, flushInterval: 0, onError: () => {} });
  metrics.increment('ok', 1);
  now = Number.NaN;
  metrics.increment('c', 1);
  metrics.gauge('g', 2);
  const bad = metrics.stats();
  expect(bad.dropped.invalid).toBe(2);
  await metrics.flush().catch(() => {});
  now = (T0 + 2) * 1000;
  await metrics.flush();
  const all = seriesOf(transport.requests);
  expect(all.map((s) => s.metric)).toEqual(['ok']);
  for (const s of all)
    for (const [t, v] of s.points) expect(Number.isFinite(t) && Number.isFinite(v)).toBe(true);
});
