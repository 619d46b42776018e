import { expect, it } from 'vitest';
import { isMetricsError } from '../../src/index.js';
import { testClock } from '../helpers/clock.js';
import { mirror } from './support/mirror.js';
import { alignedBase, describeE2E, e2eClient, freshPrefix, misaligned, readBack } from './support/suite.js';
import { Truth, withVmPrecision } from './support/truth.js';
import { datadogSeriesKey } from './support/vm-series.js';

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (error) {
    return error;
  }
  throw new Error('expected the flush to reject');
}

describeE2E('e2e: retries and carried data against VictoriaMetrics', (env) => {
  /** A client, its truth model and a mirror for one test; R = 10, clock inside bucket `base`. */
  function setup(flushTimeoutMs: number) {
    const prefix = freshPrefix('retry');
    const base = alignedBase();
    const clock = testClock(base + 2);
    const client = e2eClient(env(), prefix, clock, { flushTimeoutMs });
    const truth = new Truth(10);
    const m = mirror(client.metrics, truth, prefix, () => clock.seconds());
    const check = async (): Promise<void> => {
      const { history, state } = await readBack(env(), prefix, base - 60, base + 120);
      const expected = truth.expected();
      expect(history.problems).toEqual([]);
      expect(misaligned(state, 10)).toEqual([]);
      expect(withVmPrecision(state, expected)).toEqual(expected);
    };
    return { prefix, base, clock, ...client, m, check };
  }

  it('503 until the deadline: the flush rejects, nothing is lost, the next flush sends the merged bucket', async () => {
    const { metrics, m, check, prefix, base } = setup(400);
    const proxy = env().proxy;
    m.increment('c', 1);
    m.gauge('g', 7);
    proxy.failUntilRecovered({ kind: 'status', status: 503 });
    const error = await rejection(metrics.flush());
    expect(isMetricsError(error) && ['HTTP_ERROR', 'DEADLINE_EXCEEDED'].includes(error.code)).toBe(true);
    await proxy.settled();
    expect(proxy.log.every((r) => r.seq === undefined)).toBe(true); // nothing reached VictoriaMetrics
    const failedAttempts = proxy.log.length;
    expect(metrics.stats()).toMatchObject({ failedFlushes: 1, carriedOver: 2, requests: failedAttempts });
    expect(metrics.stats().retries).toBe(failedAttempts - 1);

    // Appendix example 3: more points in the same bucket, the intake recovers → c = 2, not 1.
    m.increment('c', 1);
    proxy.recover();
    await metrics.flush();
    await check();
    const stats = metrics.stats();
    expect(stats).toMatchObject({
      flushes: 2,
      failedFlushes: 1,
      carriedOver: 2,
      requests: failedAttempts + 1,
    });
    expect(stats.retries).toBe(failedAttempts - 1);
    expect(stats.buffered).toBe(0);
    const { history } = await readBack(env(), prefix, base - 60, base + 60);
    expect(
      history.writes
        .get(datadogSeriesKey(`${prefix}.c`, []))
        ?.get(base)
        ?.map((w) => w.value),
    ).toEqual([2]);
  });

  it('429 with a Retry-After that fits: waits, retries once, stores once', async () => {
    const { metrics, m, check } = setup(5000);
    const proxy = env().proxy;
    m.increment('c', 3);
    m.histogram('h', 4);
    m.histogram('h', 6);
    proxy.failNext(1, { kind: 'status', status: 429, headers: { 'retry-after': '1' } });
    const report = await metrics.flush();
    expect(report).toMatchObject({ ok: true, retries: 1, requests: 2, carried: 0 });
    expect(proxy.log.map((r) => r.status)).toEqual([429, 202]);
    // A lower bound only: the client must not come back before the server said it may.
    expect(proxy.log[1]!.at - proxy.log[0]!.at).toBeGreaterThanOrEqual(900);
    await check();
    expect(metrics.stats()).toMatchObject({ retries: 1, carriedOver: 0, failedFlushes: 0 });
  });

  it('429 with a Retry-After past the deadline: carried at once, merged into the next flush', async () => {
    const { metrics, m, check, clock } = setup(2000);
    const proxy = env().proxy;
    m.increment('c', 3);
    m.set('s', 'a');
    m.gauge('g', 11); // not touched again: must still arrive
    m.increment('other', 2); // likewise
    proxy.failNext(1, { kind: 'status', status: 429, headers: { 'retry-after': '60' } });
    const error = await rejection(metrics.flush());
    expect(isMetricsError(error) && error.code).toBe('HTTP_ERROR');
    expect(proxy.log).toHaveLength(1);
    expect(metrics.stats()).toMatchObject({ retries: 0, carriedOver: 4, failedFlushes: 1 });

    clock.advance(10); // next bucket too
    m.increment('c', 1, { timestamp: clock.seconds() - 10 }); // late point into the carried bucket
    m.set('s', 'b', { timestamp: clock.seconds() - 9 });
    m.increment('c', 5);
    await metrics.flush();
    await check();
    expect(metrics.stats()).toMatchObject({ retries: 0, carriedOver: 4, failedFlushes: 1, flushes: 2 });
  });

  it('ambiguous 500 after the data was stored: the retry stores the same totals, nothing counted twice', async () => {
    const { metrics, m, check, prefix, base, clock } = setup(5000);
    const proxy = env().proxy;
    m.increment('c', 2);
    m.histogram('h', 10);
    proxy.failNext(1, { kind: 'ambiguous' });
    const report = await metrics.flush();
    expect(report).toMatchObject({ ok: true, retries: 1, requests: 2 });
    expect(proxy.log.map((r) => [r.fault, r.status])).toEqual([
      ['ambiguous', 500],
      [undefined, 202],
    ]);

    clock.advance(3); // same bucket, a later invocation
    m.increment('c', 3);
    m.histogram('h', 20);
    proxy.failNext(1, { kind: 'ambiguous' });
    await metrics.flush();
    await check();
    const { history } = await readBack(env(), prefix, base - 60, base + 60);
    // Each payload arrived twice; every write is a bucket total, so duplicates agree.
    expect(
      history.writes
        .get(datadogSeriesKey(`${prefix}.c`, []))
        ?.get(base)
        ?.map((w) => w.value),
    ).toEqual([2, 2, 5, 5]);
    expect(metrics.stats()).toMatchObject({ retries: 2, requests: 4, carriedOver: 0, resent: 0 });
  });

  it('connection reset: retried on a fresh connection, stored once', async () => {
    const { metrics, m, check, clock } = setup(5000);
    const proxy = env().proxy;
    m.increment('c', 1);
    await metrics.flush(); // leaves a warm keep-alive connection
    clock.advance(1);
    m.increment('c', 1);
    m.gauge('g', -3);
    proxy.failNext(1, { kind: 'reset' });
    await metrics.flush();
    // A reset on a reused keep-alive socket is retried at once inside the transport, on a fresh
    // connection; the client still counts that second request and retry.
    expect(proxy.log.map((r) => r.fault)).toEqual([undefined, 'reset', undefined]);
    expect(metrics.stats()).toMatchObject({ requests: 3, retries: 1, failedFlushes: 0 });

    clock.advance(10);
    m.increment('c', 4);
    proxy.failNext(3, { kind: 'reset' });
    const report = await metrics.flush();
    expect(report.ok).toBe(true);
    expect(report.retries).toBeGreaterThanOrEqual(1);
    expect(proxy.log.filter((r) => r.fault === 'reset')).toHaveLength(4);
    await check();
  });

  it('a response slower than the deadline: carried, and the late arrival is overwritten by the merged total', async () => {
    const { metrics, m, check, errors } = setup(300);
    const proxy = env().proxy;
    m.increment('c', 2);
    proxy.failNext(1, { kind: 'delay', ms: 800 });
    const error = await rejection(metrics.flush());
    expect(isMetricsError(error) && error.code).toBe('DEADLINE_EXCEEDED');
    await proxy.settled(); // the slow request did reach VictoriaMetrics after the client gave up
    expect(proxy.log[0]?.seq).toBeDefined();
    expect(metrics.stats()).toMatchObject({ carriedOver: 1, failedFlushes: 1 });

    m.increment('c', 1);
    await metrics.flush();
    await check();
    expect(errors).toEqual([]); // flush() rejected; onError is for background flushes and bad input
  });

  it('413: the batch is halved and resent; every series arrives once', async () => {
    const { metrics, m, check } = setup(5000);
    const proxy = env().proxy;
    for (const name of ['a', 'b', 'c', 'd']) m.increment(name, 1);
    proxy.failNext(1, { kind: 'status', status: 413 });
    const report = await metrics.flush();
    expect(report).toMatchObject({ ok: true, series: 4, requests: 3, retries: 0 });
    expect(proxy.log.map((r) => r.status)).toEqual([413, 202, 202]);
    await check();
  });
});
