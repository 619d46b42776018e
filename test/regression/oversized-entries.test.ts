import { expect, it } from 'vitest';
import { createMetrics } from '../../src/index.js';
import { createMemoryTransport, type RecordedRequest } from '../../src/testing.js';
import { testClock } from '../helpers/clock.js';
import { seriesOf } from '../helpers/wire.js';

const values = (requests: readonly RecordedRequest[]) =>
  seriesOf(requests, '/api/v1/distribution_points').flatMap((s) =>
    s.points.flatMap(([, v]) => v as number[]),
  );

// 0.1: one distribution series with 99k values made a 1.8 M-unit body (the cap is 1 M), and an entry
// alone answered 413 was dropped whole instead of being split by buckets and values.
it('a huge distribution series is split across requests under the body cap', async () => {
  const transport = createMemoryTransport();
  const bodies: number[] = [];
  const metrics = createMetrics({
    transport: {
      send(req, signal) {
        bodies.push(req.body.length);
        return transport.send(req, signal);
      },
    },
    now: testClock(),
    flushInterval: 0,
    onError: () => {},
  });
  for (let i = 0; i < 99_000; i++) metrics.distribution('d', 1_000_000 + i + 0.123456);
  const report = await metrics.flush();
  expect(report.ok).toBe(true);
  expect(Math.max(...bodies)).toBeLessThanOrEqual(1_000_000);
  const got = values(transport.requests);
  expect(got).toHaveLength(99_000);
  expect(new Set(got).size).toBe(99_000);
});

it('an entry alone answered 413 is halved by values until the intake takes it', async () => {
  const transport = createMemoryTransport({
    // An intake with a small body limit: more than 100 values per request is too large.
    respond: (r) =>
      (r.body as { series: { points: [number, number[]][] }[] }).series[0]!.points[0]![1].length > 100
        ? 413
        : 202,
  });
  const metrics = createMetrics({ transport, now: testClock(), flushInterval: 0, onError: () => {} });
  for (let i = 0; i < 1000; i++) metrics.distribution('d', i);
  const report = await metrics.flush();
  expect(report.ok).toBe(true);
  const accepted = transport.requests.filter(
    (r) => (r.body as { series: { points: [number, number[]][] }[] }).series[0]!.points[0]![1].length <= 100,
  );
  const got = values(accepted).sort((a, b) => a - b);
  expect(got).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  expect(metrics.stats().dropped.rejected).toBe(0);
  expect(metrics.stats().buffered).toBe(0);
});
