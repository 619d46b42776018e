import { expect, it } from 'vitest';
import { createMetrics, type MetricsError } from '../../src/index.js';
import { createMemoryTransport } from '../../src/testing.js';
import { testClock } from '../helpers/clock.js';
import { seriesOf } from '../helpers/wire.js';

const setup = () => {
  const transport = createMemoryTransport();
  const errors: MetricsError[] = [];
  const metrics = createMetrics({
    transport,
    now: testClock(),
    flushInterval: 0,
    onError: (e) => errors.push(e),
  });
  return { transport, errors, metrics };
};

// 0.1: two different client series could become two writes to one backend series, the last one winning.
it('a count named like a histogram aggregate is refused once, counted, never sent', async () => {
  const { transport, errors, metrics } = setup();
  metrics.histogram('lat', 5);
  metrics.increment('lat.count', 1);
  metrics.increment('lat.count', 1);
  await metrics.flush();
  const names = seriesOf(transport.requests).map((s) => s.metric);
  expect(names.filter((n) => n === 'lat.count')).toHaveLength(1); // the histogram's own
  expect(metrics.stats().dropped.collision).toBe(2);
  expect(errors.filter((e) => e.code === 'NAME_COLLISION')).toHaveLength(1);
  expect(errors.find((e) => e.code === 'NAME_COLLISION')?.details).toMatchObject({ metric: 'lat.count' });
});

it('a set and a gauge of one name: the first one wins, the other is refused', async () => {
  const { transport, metrics } = setup();
  metrics.gauge('u', 7);
  metrics.set('u', 'x');
  await metrics.flush();
  const u = seriesOf(transport.requests).filter((s) => s.metric === 'u');
  expect(u).toHaveLength(1);
  expect(u[0]?.points[0]?.[1]).toBe(7);
  expect(metrics.stats().dropped.collision).toBe(1);
});

it('once the first kind holds nothing any more, the name can serve another kind', async () => {
  const { transport, metrics } = setup();
  metrics.gauge('u', 7);
  await metrics.flush(); // a gauge keeps nothing after a send
  transport.clear();
  metrics.set('u', 'x');
  await metrics.flush();
  expect(seriesOf(transport.requests).map((s) => [s.metric, s.type])).toEqual([['u', 'gauge']]);
  expect(metrics.stats().dropped.collision).toBe(0);
});

it('names that differ only past character 196 stay two series', async () => {
  const { transport, metrics } = setup();
  const base = 'n'.repeat(196);
  metrics.increment(`${base}xxxx1`, 1);
  metrics.increment(`${base}xxxx2`, 2);
  metrics.histogram(`${base}yyyy1`, 1);
  metrics.histogram(`${base}yyyy2`, 2);
  await metrics.flush();
  const names = seriesOf(transport.requests).map((s) => s.metric);
  expect(new Set(names).size).toBe(names.length);
  expect(names).toHaveLength(2 + 2 * 5);
  for (const n of names) expect(n.length).toBeLessThanOrEqual(200);
});

it('a gauge and a histogram of one name do not collide (the histogram sends name.<agg>)', async () => {
  const { transport, metrics } = setup();
  metrics.gauge('x', 1);
  metrics.histogram('x', 2);
  await metrics.flush();
  expect(seriesOf(transport.requests).map((s) => s.metric)).toContain('x');
  expect(seriesOf(transport.requests).map((s) => s.metric)).toContain('x.max');
  expect(metrics.stats().dropped.collision).toBe(0);
});
