import { describe, expect, it } from 'vitest';
import { createMetrics, type MetricsError } from '../../src/index.js';
import { startIntake } from '../../src/intake/index.js';
import { createMemoryTransport } from '../../src/testing.js';
import { createLogTransport } from '../../src/transports/log.js';
import { T0, testClock } from '../helpers/clock.js';

interface V2Series {
  metric: string;
  type: number;
  points: { timestamp: number; value: number }[];
  interval?: number;
  unit?: string;
  resources?: { type: string; name: string }[];
  tags: string[];
}
const v2 = (requests: { path: string; body: unknown }[]) =>
  requests
    .filter((r) => r.path === '/api/v2/series')
    .flatMap((r) => (r.body as { series: V2Series[] }).series);

describe('/api/v2/series (apiVersion: 2)', () => {
  it('sends v2 entries: integer types, {timestamp, value} points, interval on counts, unit, host as a resource', async () => {
    const transport = createMemoryTransport();
    const metrics = createMetrics({
      transport,
      now: testClock(),
      flushInterval: 0,
      apiVersion: 2,
      namespace: 'shop',
      units: { latency: 'millisecond', orders: 'request' },
      histogramAggregates: ['max', 'count'],
      histogramPercentiles: [],
    });
    metrics.increment('orders', 2, { tags: ['a:1'] });
    metrics.gauge('depth', 5, { host: 'web-1' });
    metrics.histogram('latency', 40);
    metrics.distribution('bytes', 512);
    await metrics.flush();
    const series = v2(transport.requests);
    expect(series.find((s) => s.metric === 'shop.orders')).toEqual({
      metric: 'shop.orders',
      type: 1,
      interval: 10,
      unit: 'request',
      points: [{ timestamp: T0, value: 2 }],
      tags: ['a:1'],
    });
    expect(series.find((s) => s.metric === 'shop.depth')).toEqual({
      metric: 'shop.depth',
      type: 3,
      points: [{ timestamp: T0, value: 5 }],
      resources: [{ type: 'host', name: 'web-1' }],
      tags: [],
    });
    expect(series.find((s) => s.metric === 'shop.latency.max')?.unit).toBe('millisecond');
    expect(series.find((s) => s.metric === 'shop.latency.count')?.unit).toBeUndefined(); // a count of samples
    // Distributions have no v2 endpoint.
    expect(transport.requests.map((r) => r.path).sort()).toEqual([
      '/api/v1/distribution_points',
      '/api/v2/series',
    ]);
  });

  it('DD_USE_V2_API_SERIES=true selects v2; v1 stays the default', () => {
    const paths = async (env: Record<string, string>) => {
      const transport = createMemoryTransport();
      const m = createMetrics({ transport, env, now: testClock(), flushInterval: 0 });
      m.increment('c');
      await m.flush();
      return transport.requests.map((r) => r.path);
    };
    return Promise.all([
      expect(paths({ DD_USE_V2_API_SERIES: 'true' })).resolves.toEqual(['/api/v2/series']),
      expect(paths({})).resolves.toEqual(['/api/v1/series']),
    ]);
  });

  it('refuses a unit that is not Datadog’s, naming the option', () => {
    expect(() => createMetrics({ transport: createMemoryTransport(), units: { latency: 'msec' } })).toThrow(
      /units/,
    );
    expect(() => createMetrics({ transport: createMemoryTransport(), apiVersion: 3 as never })).toThrow(
      /apiVersion/,
    );
  });

  it('the local intake stores v2 like v1, and a 202 naming a refused series counts it as rejected', async () => {
    const intake = await startIntake({ quiet: true });
    try {
      const errors: MetricsError[] = [];
      // The intake checks Datadog's window against its own clock: record at the real time.
      const metrics = createMetrics({
        apiKey: 'k',
        intakeUrl: intake.url,
        flushInterval: 0,
        apiVersion: 2,
        onError: (e) => errors.push(e),
      });
      metrics.increment('ok', 3);
      // The intake refuses tags over 200 characters with a 202 listing the series; handlerstats cuts tags
      // at 200, so to make it refuse one, hand it 1,001 tags (its limit is 1,000 per series).
      metrics.increment('many.tags', 1, { tags: Array.from({ length: 1001 }, (_, i) => `t:${i}`) });
      const report = await metrics.flush().catch((e: { report: unknown }) => e.report);
      const snap = intake.received();
      expect(snap.series.find((s) => s.metric === 'ok')?.points.map(([, v]) => v)).toEqual([3]);
      expect(snap.series.find((s) => s.metric === 'many.tags')).toBeUndefined();
      expect(report).toMatchObject({ ok: false, points: 1, dropped: 1 });
      expect(metrics.stats().dropped.rejected).toBe(1);
      expect(errors.length + (report as { errors: unknown[] }).errors.length).toBeGreaterThan(0);
    } finally {
      await intake.close();
    }
  });

  it('the log transport reads v2 bodies too', async () => {
    const lines: string[] = [];
    const metrics = createMetrics({
      transport: createLogTransport((l) => lines.push(l)),
      now: testClock(),
      flushInterval: 0,
      apiVersion: 2,
    });
    metrics.increment('c', 4);
    await metrics.flush();
    expect(lines.map((l) => JSON.parse(l))).toEqual([{ e: T0, m: 'c', t: [], v: 4 }]);
  });
});
