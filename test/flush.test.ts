import { describe, expect, it } from 'vitest';
import { createMetrics, isMetricsError, type MetricsError, type Transport } from '../src/index.js';
import { createMemoryTransport, type RecordedRequest } from '../src/testing.js';
import { T0, testClock } from './helpers/clock.js';
import { seriesOf } from './helpers/wire.js';

const quiet = { flushInterval: 0, onError: () => {} };

describe('flush semantics', () => {
  it('one flush at a time: a flush during one waits, then sends what is left', async () => {
    const clock = testClock();
    const order: string[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const inner = createMemoryTransport();
    const transport: Transport = {
      async send(req, signal) {
        order.push(`start ${JSON.parse(req.body).series[0].points[0][1]}`);
        await gate;
        order.push('end');
        return inner.send(req, signal);
      },
    };
    const metrics = createMetrics({ transport, now: clock, ...quiet });
    metrics.increment('c', 1);
    const first = metrics.flush();
    metrics.increment('c', 1);
    const second = metrics.flush();
    const third = metrics.flush();
    release();
    await Promise.all([first, second, third]);
    expect(order).toEqual(['start 1', 'end', 'start 2', 'end']);
  });

  it('the timer sends closed buckets only; flush() sends the open one too', async () => {
    const clock = testClock();
    const transport = createMemoryTransport();
    const metrics = createMetrics({ transport, now: clock, ...quiet, flushInterval: 0.05 });
    metrics.increment('c', 1);
    clock.advance(10);
    metrics.increment('c', 2);
    await new Promise((r) => setTimeout(r, 150));
    expect(seriesOf(transport.requests)[0]?.points).toEqual([[T0, 1]]);
    await metrics.close();
    expect(seriesOf(transport.requests).at(-1)?.points).toEqual([[T0 + 10, 2]]);
  });

  it('a bucket that ages out before it can be sent is dropped and counted', async () => {
    const clock = testClock();
    const errors: MetricsError[] = [];
    const metrics = createMetrics({
      transport: createMemoryTransport(),
      now: clock,
      flushInterval: 0,
      onError: (e) => errors.push(e),
    });
    metrics.increment('c', 1);
    clock.advance(3700); // e.g. frozen for an hour
    await metrics.flush();
    expect(metrics.stats().dropped.expired).toBe(1);
    expect(errors.map((e) => e.code)).toContain('EXPIRED');
  });

  it('retained records are bounded: oldest evicted; a late point for an evicted bucket is dropped', async () => {
    const clock = testClock();
    const transport = createMemoryTransport();
    const metrics = createMetrics({ transport, now: clock, ...quiet, maxRetainedBuckets: 3 });
    for (let i = 0; i < 5; i++) {
      metrics.increment('c', 1);
      await metrics.flush();
      clock.advance(10);
    }
    const s = metrics.stats();
    expect(s.retained).toBeLessThanOrEqual(3);
    expect(s.evictedRecords).toBe(2);
    metrics.increment('c', 5, { timestamp: T0 + 2 });
    expect(metrics.stats().dropped.evicted).toBe(1);
    transport.clear();
    await metrics.flush();
    expect(transport.requests).toEqual([]);
  });

  it('unsent points are bounded by maxBufferedPoints: oldest dropped and counted', async () => {
    const clock = testClock();
    const metrics = createMetrics({
      transport: createMemoryTransport(),
      now: clock,
      ...quiet,
      maxBufferedPoints: 4,
    });
    for (let i = 0; i < 3; i++) {
      metrics.distribution('d', i);
      metrics.distribution('d', i);
      clock.advance(10);
    }
    const s = metrics.stats();
    expect(s.buffered).toBeLessThanOrEqual(4);
    expect(s.dropped.overflow).toBe(2);
  });

  it('413 splits the batch in half and resends', async () => {
    const clock = testClock();
    const transport = createMemoryTransport({
      respond: (r) => ((r.body as { series: unknown[] }).series.length > 2 ? 413 : 202),
    });
    const metrics = createMetrics({ transport, now: clock, ...quiet });
    for (let i = 0; i < 7; i++) metrics.increment(`c${i}`);
    const report = await metrics.flush();
    expect(report.series).toBe(7);
    const accepted = transport.requests.filter((r) => (r.body as { series: unknown[] }).series.length <= 2);
    expect(
      accepted
        .flatMap((r) => (r.body as { series: { metric: string }[] }).series.map((s) => s.metric))
        .sort(),
    ).toEqual(['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6']);
  });

  it.each([
    [400, 'BAD_REQUEST'],
    [403, 'API_KEY_REJECTED'],
  ])('%i drops the batch, reports it, counts it', async (status, code) => {
    const clock = testClock();
    const transport = createMemoryTransport({ respond: () => status });
    const metrics = createMetrics({ transport, now: clock, ...quiet });
    metrics.increment('c');
    const error = (await metrics.flush().catch((e: unknown) => e)) as MetricsError;
    expect(isMetricsError(error)).toBe(true);
    expect(error.code).toBe(code);
    expect(transport.requests).toHaveLength(1);
    expect(metrics.stats().dropped.rejected).toBe(1);
    transport.clear();
    await metrics.flush().catch(() => {});
    expect(transport.requests).toHaveLength(0);
  });

  it.each([408, 429, 500, 502, 503])('%i is retried with backoff inside the deadline', async (status) => {
    const clock = testClock();
    let calls = 0;
    const transport = createMemoryTransport({ respond: () => (++calls < 3 ? status : 202) });
    const metrics = createMetrics({ transport, now: clock, ...quiet });
    metrics.increment('c');
    const report = await metrics.flush();
    expect(report.ok).toBe(true);
    expect(report.retries).toBe(2);
    expect(metrics.stats().retries).toBe(2);
  });

  it('network errors are retried; a distribution resent after one is counted', async () => {
    const clock = testClock();
    let calls = 0;
    const transport = createMemoryTransport({
      respond: () => {
        if (++calls === 1) throw new Error('ECONNRESET');
        return 202;
      },
    });
    const metrics = createMetrics({ transport, now: clock, ...quiet });
    metrics.increment('c');
    const report = await metrics.flush();
    expect(report.ok).toBe(true);
    expect(report.retries).toBe(1);
  });

  it('the deadline cuts a flush; data is carried to the next flush', async () => {
    const clock = testClock();
    let hang = true;
    const inner = createMemoryTransport();
    const transport: Transport = {
      send: (req, signal) =>
        hang
          ? new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)))
          : inner.send(req, signal),
    };
    const metrics = createMetrics({ transport, now: clock, ...quiet, flushTimeoutMs: 50 });
    metrics.distribution('d', 1);
    const started = performance.now();
    const error = (await metrics.flush().catch((e: unknown) => e)) as MetricsError;
    expect(performance.now() - started).toBeLessThan(2000);
    expect(error.code).toBe('DEADLINE_EXCEEDED');
    expect(metrics.stats().carriedOver).toBe(1);
    expect(metrics.stats().resent).toBe(1);
    hang = false;
    metrics.distribution('d', 2);
    await metrics.flush();
    expect(seriesOf(inner.requests as RecordedRequest[], '/api/v1/distribution_points')[0]?.points).toEqual([
      [T0, [1, 2]],
    ]);
  });

  it('flush({ signal }) aborts', async () => {
    const clock = testClock();
    const transport: Transport = {
      send: (_req, signal) =>
        new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
    };
    const metrics = createMetrics({ transport, now: clock, ...quiet });
    metrics.increment('c');
    const controller = new AbortController();
    const p = metrics.flush({ signal: controller.signal });
    controller.abort();
    await expect(p).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('Retry-After is honoured when it fits, else the data is carried', async () => {
    const clock = testClock();
    const times: number[] = [];
    const transport: Transport = {
      async send() {
        times.push(performance.now());
        return times.length === 1 ? { status: 429, retryAfterMs: 120 } : { status: 202 };
      },
    };
    const metrics = createMetrics({ transport, now: clock, ...quiet });
    metrics.increment('c');
    await metrics.flush();
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(100);

    times.length = 0;
    const tooLong: Transport = { send: async () => ({ status: 429, retryAfterMs: 60_000 }) };
    const m2 = createMetrics({ transport: tooLong, now: clock, ...quiet, flushTimeoutMs: 1000 });
    m2.increment('c');
    const started = performance.now();
    await expect(m2.flush()).rejects.toMatchObject({ code: 'HTTP_ERROR' });
    expect(performance.now() - started).toBeLessThan(500);
    expect(m2.stats().buffered).toBe(1);
  });

  it('payloads are split under the size limit', async () => {
    const clock = testClock();
    const transport = createMemoryTransport();
    const metrics = createMetrics({ transport, now: clock, ...quiet });
    const tags = Array.from({ length: 20 }, (_, i) => `tag${i}:${'x'.repeat(150)}`);
    for (let i = 0; i < 400; i++) metrics.increment(`metric.${i}`, 1, { tags });
    await metrics.flush();
    expect(transport.requests.length).toBeGreaterThan(1);
    for (const r of transport.requests) expect(JSON.stringify(r.body).length).toBeLessThanOrEqual(1_000_000);
    expect(seriesOf(transport.requests)).toHaveLength(400);
  });
});
