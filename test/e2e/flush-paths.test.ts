import { expect, it, vi } from 'vitest';
import type { MetricsOptions } from '../../src/index.js';
import { testClock } from '../helpers/clock.js';
import { mirror } from './support/mirror.js';
import { alignedBase, describeE2E, e2eClient, freshPrefix, misaligned, readBack } from './support/suite.js';
import { Truth, withVmPrecision } from './support/truth.js';
import { datadogSeriesKey } from './support/vm-series.js';

/** Timestamps of every point in a recorded request body. */
function pointTimes(body: unknown): number[] {
  const series = (body as { series?: { points: [number, number][] }[] }).series ?? [];
  return series.flatMap((s) => s.points.map(([t]) => t));
}

describeE2E('e2e: timer, concurrent flushes, bounds', (env) => {
  function setup(options: MetricsOptions = {}) {
    const prefix = freshPrefix('paths');
    const base = alignedBase();
    const clock = testClock(base + 2);
    const client = e2eClient(env(), prefix, clock, options);
    const truth = new Truth(10);
    const m = mirror(client.metrics, truth, prefix, () => clock.seconds());
    const check = async () => {
      const read = await readBack(env(), prefix, base - 60, base + 3800);
      const expected = truth.expected();
      expect(read.history.problems).toEqual([]);
      expect(misaligned(read.state, 10)).toEqual([]);
      expect(withVmPrecision(read.state, expected)).toEqual(expected);
      return read;
    };
    return { prefix, base, clock, ...client, m, truth, check };
  }

  it('the timer sends closed buckets only; close() sends the open one; late points merge', async () => {
    const { metrics, m, clock, base, check } = setup({ flushInterval: 0.2 });
    const proxy = env().proxy;
    m.increment('c', 1);
    m.histogram('h', 3);
    clock.set((base + 12) * 1000);
    m.increment('c', 2); // bucket base+10 stays open
    await vi.waitFor(() => expect(proxy.log.length).toBeGreaterThanOrEqual(1), {
      timeout: 10_000,
      interval: 50,
    });
    m.increment('c', 3, { timestamp: base + 5 }); // late, into the bucket the timer already sent
    await vi.waitFor(() => expect(proxy.log.length).toBeGreaterThanOrEqual(2), {
      timeout: 10_000,
      interval: 50,
    });
    const timerRequests = proxy.log.length;
    expect(proxy.log.flatMap((r) => pointTimes(r.body)).every((t) => t === base)).toBe(true);

    await metrics.close();
    expect(proxy.log.slice(timerRequests).flatMap((r) => pointTimes(r.body))).toEqual([base + 10]);
    await check();
    expect(metrics.stats()).toMatchObject({ failedFlushes: 0, carriedOver: 0, buffered: 0 });
  });

  it('a flush called during a slow one waits, then sends what arrived meanwhile as the merged bucket', async () => {
    const { metrics, m, check, prefix, base } = setup();
    const proxy = env().proxy;
    m.increment('c', 1);
    m.gauge('g', 1);
    proxy.failNext(1, { kind: 'delay', ms: 300 });
    const first = metrics.flush();
    m.increment('c', 2); // same bucket, while the first flush is on the wire
    m.gauge('g', 2);
    const second = metrics.flush();
    const third = metrics.flush();
    const reports = await Promise.all([first, second, third]);
    expect(reports.every((r) => r.ok)).toBe(true);
    const { history } = await check();
    expect(
      history.writes
        .get(datadogSeriesKey(`${prefix}.c`, []))
        ?.get(base)
        ?.map((w) => w.value),
    ).toEqual([1, 3]);
    expect(proxy.log).toHaveLength(2);
  });

  it('bound instruments and decrements land in the same series as the plain calls', async () => {
    const { metrics, truth, prefix, clock, base, check } = setup();
    const counter = metrics.counter('orders', { tags: ['plan:pro'] });
    const gauge = metrics.boundGauge('depth');
    const hist = metrics.boundHistogram('lat');
    counter.add(2);
    counter.add();
    metrics.increment('orders', 4, { tags: ['plan:pro'] });
    metrics.decrement('orders', 1, { tags: ['plan:pro'] });
    gauge.set(5);
    for (const v of [1, 2, 3, 10]) hist.record(v);
    await metrics.flush();
    clock.advance(10);
    counter.add(7);
    gauge.set(-1);
    hist.record(8);
    await metrics.flush();
    const t0 = base;
    const t1 = base + 10;
    for (const [t, v] of [
      [t0, 2],
      [t0, 1],
      [t0, 4],
      [t0, -1],
      [t1, 7],
    ] as const)
      truth.count(`${prefix}.orders`, t, v, ['plan:pro']);
    truth.gauge(`${prefix}.depth`, t0, 5);
    truth.gauge(`${prefix}.depth`, t1, -1);
    for (const [t, v] of [
      [t0, 1],
      [t0, 2],
      [t0, 3],
      [t0, 10],
      [t1, 8],
    ] as const)
      truth.histogram(`${prefix}.lat`, t, v);
    await check();
  });

  it('a late point for a bucket whose record was evicted is dropped and counted, not sent alone', async () => {
    const { metrics, m, clock, base, check, errors } = setup({ maxRetainedBuckets: 2 });
    const proxy = env().proxy;
    for (let i = 0; i < 3; i++) {
      m.increment('c', 1);
      await metrics.flush();
      clock.advance(10);
    }
    metrics.increment('c', 5, { timestamp: base + 1 }); // bucket `base` was evicted by the third bucket
    await metrics.flush();
    expect(proxy.log).toHaveLength(3);
    await check(); // `base` still holds 1: a lone 5 would have overwritten the stored total
    expect(metrics.stats().dropped.evicted).toBe(1);
    expect(metrics.stats().evictedRecords).toBeGreaterThanOrEqual(1);
    expect(errors.map((e) => e.code)).toEqual(['EVICTED']);
  });

  it('a carried bucket that ages out of the window is dropped and counted, never sent', async () => {
    const { metrics, clock, prefix, base, errors } = setup();
    const proxy = env().proxy;
    metrics.increment('c', 1);
    proxy.failNext(1, { kind: 'status', status: 429, headers: { 'retry-after': '600' } });
    await expect(metrics.flush()).rejects.toMatchObject({ code: 'HTTP_ERROR' });
    clock.advance(3700); // e.g. a container frozen for an hour
    const report = await metrics.flush();
    expect(report.requests).toBe(0);
    expect(metrics.stats().dropped.expired).toBe(1);
    expect(errors.map((e) => e.code)).toEqual(['EXPIRED']);
    const { state } = await readBack(env(), prefix, base - 60, base + 3800);
    expect(state).toEqual({});
  });

  it('a flush larger than one request is split; every series arrives once with its value', async () => {
    const { metrics, m, check } = setup();
    const proxy = env().proxy;
    for (let i = 0; i < 12_000; i++) m.increment('wide', (i % 7) + 1, { tags: [`i:${i}`] });
    const report = await metrics.flush();
    expect(report).toMatchObject({ ok: true, series: 12_000 });
    expect(proxy.log.length).toBeGreaterThanOrEqual(2);
    const { state } = await check();
    expect(Object.keys(state)).toHaveLength(12_000);
  });

  it('VictoriaMetrics refuses events (400): the flush reports BAD_REQUEST, the series are still stored', async () => {
    const { metrics, m, check } = setup();
    m.increment('c', 2);
    metrics.event('deploy', 'v42 is live');
    await expect(metrics.flush()).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(metrics.stats().dropped.rejected).toBe(1);
    await check();
    await metrics.flush(); // nothing is resent: the series were stored, the event was dropped
    expect(env().proxy.log).toHaveLength(2);
  });
});
