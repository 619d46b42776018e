import { describe, expect, it, vi } from 'vitest';
import { createMetrics, isMetricsError, type MetricsError } from '../src/index.js';
import { createMemoryTransport } from '../src/testing.js';
import { T0, testClock } from './helpers/clock.js';
import { lastWriteWins, pointsByKey, seriesOf } from './helpers/wire.js';

function setup(options: Parameters<typeof createMetrics>[0] = {}) {
  const clock = testClock();
  const transport = createMemoryTransport();
  const errors: MetricsError[] = [];
  const metrics = createMetrics({
    transport,
    now: clock,
    flushInterval: 0,
    onError: (e) => errors.push(e),
    ...options,
  });
  return { clock, transport, metrics, errors };
}

describe('design appendix examples', () => {
  it('1: two invocations in one bucket send the bucket total', async () => {
    const { metrics, transport } = setup();
    metrics.increment('c', 3);
    await metrics.flush();
    metrics.increment('c', 2);
    await metrics.flush();
    const sent = seriesOf(transport.requests).map((s) => s.points);
    expect(sent).toEqual([[[T0, 3]], [[T0, 5]]]);
  });

  it('2: a late point re-sends the merged bucket (count) and the last value (gauge)', async () => {
    const { metrics, transport, clock } = setup();
    metrics.increment('c', 1);
    metrics.gauge('g', 1);
    await metrics.flush();
    clock.advance(30);
    metrics.increment('c', 4, { timestamp: T0 + 3 });
    metrics.gauge('g', 9, { timestamp: T0 + 3 });
    await metrics.flush();
    const last = pointsByKey(seriesOf(transport.requests.slice(1)));
    expect(last.get('c{}')).toEqual([[T0, 5]]);
    expect(last.get('g{}')).toEqual([[T0, 9]]);
  });

  it('3: a failed flush rejects, loses nothing, and the next flush sends the merged value', async () => {
    let down = true;
    const clock = testClock();
    const transport = createMemoryTransport({ respond: () => (down ? 503 : 202) });
    const metrics = createMetrics({
      transport,
      now: clock,
      flushInterval: 0,
      flushTimeoutMs: 300,
      onError: () => {},
    });
    metrics.increment('c', 1);
    const error = await metrics.flush().catch((e: unknown) => e);
    expect(isMetricsError(error)).toBe(true);
    expect((error as MetricsError).code).toMatch(/DEADLINE_EXCEEDED|HTTP_ERROR/);
    metrics.increment('c', 1);
    down = false;
    transport.clear();
    await metrics.flush();
    expect(seriesOf(transport.requests).map((s) => s.points)).toEqual([[[T0, 2]]]);
    expect(metrics.stats().carriedOver).toBeGreaterThanOrEqual(1);
  });

  it('4: distributions send only new values', async () => {
    const { metrics, transport } = setup();
    metrics.distribution('d', 1);
    metrics.distribution('d', 2);
    await metrics.flush();
    metrics.distribution('d', 3);
    await metrics.flush();
    const sent = seriesOf(transport.requests, '/api/v1/distribution_points').map((s) => s.points);
    expect(sent).toEqual([[[T0, [1, 2]]], [[T0, [3]]]]);
  });

  it('5: out of window is refused, counted and reported once', async () => {
    const { metrics, transport, errors, clock } = setup();
    metrics.increment('c', 1, { timestamp: clock.seconds() - 7200 });
    metrics.increment('c', 1, { timestamp: clock.seconds() + 7200 });
    await metrics.flush();
    expect(transport.requests).toEqual([]);
    expect(metrics.stats().dropped.outOfWindow).toBe(2);
    expect(errors.filter((e) => e.code === 'OUT_OF_WINDOW')).toHaveLength(1);
  });

  it('6: tag order, case and duplicates do not split a series', async () => {
    const { metrics, transport } = setup();
    metrics.increment('c', 1, { tags: ['b:2', 'A:1'] });
    metrics.increment('c', 1, { tags: ['a:1', 'b:2', 'b:2'] });
    metrics.increment('c', 1, { tags: { b: 2, a: 1 } });
    await metrics.flush();
    const series = seriesOf(transport.requests);
    expect(series).toHaveLength(1);
    expect(series[0]).toMatchObject({ metric: 'c', tags: ['a:1', 'b:2'], points: [[T0, 3]] });
  });
});

describe('ThreadStats scenarios', () => {
  it('counters roll up per bucket and carry interval and type', async () => {
    const { metrics, transport, clock } = setup();
    metrics.increment('hits');
    metrics.increment('hits', 4);
    metrics.decrement('hits', 2);
    clock.advance(10);
    metrics.increment('hits', 7);
    await metrics.flush();
    const [entry] = seriesOf(transport.requests);
    expect(entry).toEqual({
      metric: 'hits',
      type: 'count',
      interval: 10,
      points: [
        [T0, 3],
        [T0 + 10, 7],
      ],
      host: '',
      tags: [],
    });
  });

  it('gauges keep the last value in call order, per bucket', async () => {
    const { metrics, transport, clock } = setup();
    metrics.gauge('g', 5);
    metrics.gauge('g', 2);
    clock.advance(10);
    metrics.gauge('g', 8);
    await metrics.flush();
    expect(seriesOf(transport.requests)[0]?.points).toEqual([
      [T0, 2],
      [T0 + 10, 8],
    ]);
  });

  it('sets count distinct values; late values union with what was sent', async () => {
    const { metrics, transport } = setup();
    metrics.set('u', 'a');
    metrics.set('u', 'b');
    metrics.set('u', 'a');
    await metrics.flush();
    metrics.set('u', 'c');
    metrics.set('u', 1);
    metrics.set('u', '1');
    await metrics.flush();
    expect(seriesOf(transport.requests).map((s) => s.points)).toEqual([[[T0, 2]], [[T0, 4]]]);
  });

  it('histograms send the default DogStatsD aggregates, nearest-rank percentiles', async () => {
    const { metrics, transport } = setup();
    for (const v of [5, 1, 3, 2, 4]) metrics.histogram('h', v);
    metrics.timing('h', 10);
    await metrics.flush();
    const got = Object.fromEntries(
      seriesOf(transport.requests).map((s) => [s.metric, [s.type, s.points[0]?.[1]]]),
    );
    expect(got).toEqual({
      'h.max': ['gauge', 10],
      'h.median': ['gauge', 3],
      'h.avg': ['gauge', 25 / 6],
      'h.count': ['count', 6],
      'h.95percentile': ['gauge', 10],
    });
  });

  it('histogram presets: ThreadStats aggregates and percentiles', async () => {
    const { metrics, transport } = setup({
      histogramAggregates: ['min', 'max', 'avg', 'median', 'sum', 'count'],
      histogramPercentiles: [0.75, 0.85, 0.95, 0.99],
    });
    for (let i = 1; i <= 100; i++) metrics.histogram('h', i);
    await metrics.flush();
    const got = Object.fromEntries(seriesOf(transport.requests).map((s) => [s.metric, s.points[0]?.[1]]));
    expect(got).toEqual({
      'h.min': 1,
      'h.max': 100,
      'h.avg': 50.5,
      'h.median': 50,
      'h.sum': 5050,
      'h.count': 100,
      'h.75percentile': 75,
      'h.85percentile': 85,
      'h.95percentile': 95,
      'h.99percentile': 99,
    });
  });

  it('histogram merges across flushes: aggregates cover every sample of the bucket', async () => {
    const { metrics, transport } = setup({
      histogramAggregates: ['max', 'count', 'sum'],
      histogramPercentiles: [],
    });
    metrics.histogram('h', 1);
    await metrics.flush();
    metrics.histogram('h', 9);
    await metrics.flush();
    const last = lastWriteWins(seriesOf(transport.requests));
    expect(last.get('h.max{}')?.get(T0)).toBe(9);
    expect(last.get('h.count{}')?.get(T0)).toBe(2);
    expect(last.get('h.sum{}')?.get(T0)).toBe(10);
  });

  it('namespace, constant tags, env tags and host', async () => {
    const { metrics, transport } = setup({
      namespace: 'shop',
      tags: { team: 'checkout' },
      host: 'box1',
      env: { DD_TAGS: 'region:eu, zone:a', DD_ENV: 'prod', DD_SERVICE: 'api', DD_VERSION: '1.2' },
    });
    metrics.increment('orders', 1, { tags: ['plan:pro'] });
    metrics.gauge('depth', 1, { host: 'other' });
    await metrics.flush();
    const [a, b] = seriesOf(transport.requests);
    expect(a).toMatchObject({
      metric: 'shop.depth',
      host: 'other',
      tags: ['env:prod', 'region:eu', 'service:api', 'team:checkout', 'version:1.2', 'zone:a'],
    });
    expect(b).toMatchObject({ metric: 'shop.orders', host: 'box1' });
    expect(b?.tags).toContain('plan:pro');
  });

  it('timestamps: Date, fractional seconds, and milliseconds (converted, counted)', async () => {
    const { metrics, transport, errors } = setup();
    metrics.increment('a', 1, { timestamp: new Date((T0 - 5) * 1000) });
    metrics.increment('a', 1, { timestamp: T0 - 0.5 });
    metrics.increment('a', 1, { timestamp: (T0 - 20) * 1000 });
    await metrics.flush();
    expect(seriesOf(transport.requests)[0]?.points).toEqual([
      [T0 - 20, 1],
      [T0 - 10, 2],
    ]);
    expect(metrics.stats().timestampsConverted).toBe(1);
    expect(errors.map((e) => e.code)).toContain('TIMESTAMP_MILLISECONDS');
  });

  it('events go out with the next flush, with constant tags', async () => {
    const { metrics, transport } = setup({ tags: ['team:x'] });
    metrics.event('Deploy finished', 'v42 is live', {
      alertType: 'success',
      tags: ['v:42'],
      aggregationKey: 'k',
    });
    await metrics.flush();
    const ev = transport.requests.find((r) => r.path === '/api/v1/events');
    expect(ev?.body).toMatchObject({
      title: 'Deploy finished',
      text: 'v42 is live',
      alert_type: 'success',
      priority: 'normal',
      aggregation_key: 'k',
      date_happened: T0 + 1,
      tags: ['team:x', 'v:42'],
    });
  });
});

describe('timed and bound instruments', () => {
  it('timed records sync and async durations and returns the result', async () => {
    const { metrics, transport } = setup({ histogramAggregates: ['count'], histogramPercentiles: [] });
    expect(metrics.timed('t', () => 7)).toBe(7);
    await expect(metrics.timed('t', async () => 8)).resolves.toBe(8);
    expect(() =>
      metrics.timed('t', () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    await expect(metrics.timed('t', () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    await metrics.flush();
    expect(seriesOf(transport.requests)[0]).toMatchObject({ metric: 't.count', points: [[T0, 4]] });
  });

  it('bound instruments write to the same series as the plain calls', async () => {
    const { metrics, transport } = setup();
    const c = metrics.counter('c', { tags: ['a:1'] });
    c.add();
    c.add(2);
    metrics.increment('c', 1, { tags: ['A:1'] });
    metrics.boundGauge('g').set(3);
    metrics.boundHistogram('h').record(4);
    metrics.boundDistribution('d').record(5);
    await metrics.flush();
    const keys = pointsByKey(seriesOf(transport.requests));
    expect(keys.get('c{a:1}')).toEqual([[T0, 4]]);
    expect(keys.get('g{}')).toEqual([[T0, 3]]);
    expect(keys.get('h.max{}')).toEqual([[T0, 4]]);
    expect(seriesOf(transport.requests, '/api/v1/distribution_points')[0]?.points).toEqual([[T0, [5]]]);
  });

  it('a bound series survives its records being sent and aged out', async () => {
    const { metrics, transport, clock } = setup();
    const g = metrics.boundGauge('g');
    g.set(1);
    await metrics.flush();
    clock.advance(4000);
    await metrics.flush();
    g.set(2);
    transport.clear();
    await metrics.flush();
    expect(seriesOf(transport.requests)[0]?.points).toEqual([[T0 + 4000, 2]]);
  });
});

describe('bad input never throws, is dropped and counted', () => {
  it('invalid values and names', async () => {
    const { metrics, transport, errors } = setup();
    const m = metrics as unknown as Record<string, (...a: unknown[]) => void>;
    m.increment!('c', Number.NaN);
    m.gauge!('g', Number.POSITIVE_INFINITY);
    m.histogram!('h', '3');
    m.set!('s', { a: 1 });
    m.increment!('', 1);
    m.increment!('!!!', 1);
    m.increment!(42, 1);
    m.increment!('c', 1, { timestamp: 'yesterday' });
    await metrics.flush();
    expect(transport.requests).toEqual([]);
    expect(metrics.stats().dropped.invalid).toBe(8);
    expect(new Set(errors.map((e) => e.code))).toEqual(
      new Set(['INVALID_VALUE', 'INVALID_NAME', 'INVALID_TIMESTAMP']),
    );
  });

  it('names and tags are normalized like Datadog', async () => {
    const { metrics, transport } = setup();
    metrics.increment('1my-metric name!', 1, { tags: ['Env:Prod', 'bad tag!', ':::', 'ok:'] });
    await metrics.flush();
    expect(seriesOf(transport.requests)[0]).toMatchObject({
      metric: 'my_metric_name',
      tags: ['bad_tag', 'env:prod', 'ok'],
    });
    expect(metrics.stats().normalized).toBeGreaterThan(0);
  });

  it('strict mode throws instead', () => {
    const { metrics } = setup({ strict: true });
    expect(() => metrics.increment('c', Number.NaN)).toThrow(/finite number/);
    expect(() => metrics.increment('c', 1, { timestamp: 0 })).toThrow(/window/);
  });

  it('a throwing onError does not reach the caller', () => {
    const clock = testClock();
    const metrics = createMetrics({
      transport: createMemoryTransport(),
      now: clock,
      flushInterval: 0,
      onError: () => {
        throw new Error('bad handler');
      },
    });
    expect(() => metrics.increment('c', Number.NaN)).not.toThrow();
  });

  it('enabled: false makes every call a no-op', async () => {
    const { metrics, transport } = setup({ enabled: false });
    metrics.increment('c');
    await metrics.flush();
    expect(transport.requests).toEqual([]);
    expect(metrics.stats().recorded).toBe(0);
  });
});

describe('configuration', () => {
  it('bad options throw TypeError/RangeError naming the option', () => {
    expect(() => createMetrics({ rollupInterval: 0 })).toThrow(/rollupInterval/);
    expect(() => createMetrics({ flushTimeoutMs: 'x' as unknown as number })).toThrow(TypeError);
    expect(() => createMetrics({ site: 'example.com', apiKey: 'k' })).toThrow(/site/);
    expect(() => createMetrics({ intakeUrl: 'http://10.0.0.1:8080', apiKey: 'k' })).toThrow(
      /allowInsecureHttp/,
    );
    expect(() => createMetrics({ histogramPercentiles: [1.5] })).toThrow(RangeError);
    expect(() => createMetrics({ histogramAggregates: ['p50' as 'max'] })).toThrow(/histogramAggregates/);
  });

  it('a missing API key warns once and falls back to the log transport', async () => {
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((l: string) => lines.push(l));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const clock = testClock();
      const metrics = createMetrics({ env: {}, now: clock, flushInterval: 0 });
      metrics.increment('c', 2, { tags: ['a:b'] });
      await metrics.flush();
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]?.[0])).toMatch(/MISSING_API_KEY/);
      expect(lines.map((l) => JSON.parse(l))).toEqual([{ e: T0, m: 'c', t: ['a:b'], v: 2 }]);
    } finally {
      log.mockRestore();
      warn.mockRestore();
    }
  });

  it('DD_FLUSH_TO_LOG writes one Forwarder line per point and per distribution value', async () => {
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((l: string) => lines.push(l));
    try {
      const clock = testClock();
      const metrics = createMetrics({
        env: { DD_FLUSH_TO_LOG: 'true', DD_API_KEY: 'secret-key' },
        now: clock,
        flushInterval: 0,
      });
      metrics.distribution('d', 1);
      metrics.distribution('d', 2);
      await metrics.flush();
      expect(lines.map((l) => JSON.parse(l))).toEqual([
        { e: T0, m: 'd', t: [], v: 1 },
        { e: T0, m: 'd', t: [], v: 2 },
      ]);
      expect(lines.join('')).not.toContain('secret-key');
    } finally {
      log.mockRestore();
    }
  });

  it('the API key never shows in stats or errors', async () => {
    const metrics = createMetrics({
      apiKey: 'super-secret-123',
      intakeUrl: 'http://127.0.0.1:1',
      flushTimeoutMs: 200,
      flushInterval: 0,
      onError: () => {},
    });
    metrics.increment('c');
    const error = await metrics.flush().catch((e: unknown) => e);
    const text =
      JSON.stringify(metrics.stats()) +
      String(error) +
      JSON.stringify(error) +
      String((error as Error).cause);
    expect(text).not.toContain('super-secret-123');
  });
});
