import { expect, it } from 'vitest';
import { withMetrics } from '../../src/integrations/lambda.js';
import { testClock } from '../helpers/clock.js';
import { mirror } from './support/mirror.js';
import { alignedBase, describeE2E, e2eClient, freshPrefix, misaligned, readBack } from './support/suite.js';
import { Truth, withVmPrecision } from './support/truth.js';
import { datadogSeriesKey } from './support/vm-series.js';

interface Invocation {
  /** Seconds after the base when the invocation runs. */
  at: number;
  orders: { plan: string; n: number }[];
  depth: number;
  user: string;
  latencies: number[];
}

// Three invocations share bucket B, two share B+10, one is alone in B+20 (R = 10).
const INVOCATIONS: Invocation[] = [
  { at: 1, orders: [{ plan: 'pro', n: 3 }], depth: 5, user: 'ann', latencies: [10, 30] },
  {
    at: 4,
    orders: [
      { plan: 'pro', n: 2 },
      { plan: 'free', n: 1 },
    ],
    depth: 7,
    user: 'bob',
    latencies: [45],
  },
  { at: 9, orders: [{ plan: 'pro', n: 1 }], depth: 4, user: 'ann', latencies: [20] },
  { at: 12, orders: [{ plan: 'free', n: 5 }], depth: 3, user: 'cy', latencies: [5, 100] },
  { at: 15, orders: [{ plan: 'pro', n: -2 }], depth: 8, user: 'dee', latencies: [7] },
  { at: 27, orders: [{ plan: 'pro', n: 6 }], depth: 1, user: 'ann', latencies: [12] },
];

const context = { getRemainingTimeInMillis: () => 5000 };

describeE2E('e2e: Lambda invocations into VictoriaMetrics', (env) => {
  it('ends every bucket at its true total across invocations, late points and out-of-window points', async () => {
    const prefix = freshPrefix('lambda');
    const base = alignedBase();
    const clock = testClock(base + 1);
    const { metrics, errors } = e2eClient(env(), prefix, clock, { tags: ['service:checkout'] });
    const truth = new Truth(10, ['service:checkout']);
    const m = mirror(metrics, truth, prefix, () => clock.seconds());

    let late = false;
    const handler = withMetrics(
      metrics,
      async (event: Invocation) => {
        for (const o of event.orders) m.increment('orders', o.n, { tags: [`plan:${o.plan}`] });
        m.gauge('queue.depth', event.depth);
        m.set('users.unique', event.user);
        for (const ms of event.latencies) m.histogram('latency', ms);
        if (late) {
          // Late points with custom timestamps into buckets that were already sent (appendix example 2).
          m.increment('orders', 4, { tags: ['plan:pro'], timestamp: base + 3 });
          m.gauge('queue.depth', 99, { timestamp: base + 5 });
          m.set('users.unique', 'zoe', { timestamp: base + 2.5 });
          m.histogram('latency', 500, { timestamp: base + 12 });
          // Out of the window: refused at record time, never sent (appendix example 5).
          metrics.increment('stale', 1, { timestamp: clock.seconds() - 7200 });
          metrics.increment('future', 1, { timestamp: clock.seconds() + 3600 });
        }
        return { statusCode: 200, at: event.at };
      },
      { coldStartMetric: 'invocations' },
    );

    for (const [i, inv] of INVOCATIONS.entries()) {
      clock.set((base + inv.at) * 1000);
      truth.count(`${prefix}.invocations`, base + inv.at, 1, [`cold_start:${i === 0}`]);
      expect(await handler(inv, context)).toEqual({ statusCode: 200, at: inv.at });
    }
    late = true;
    clock.set((base + 31) * 1000);
    truth.count(`${prefix}.invocations`, base + 31, 1, ['cold_start:false']);
    await handler({ at: 31, orders: [], depth: 2, user: 'eve', latencies: [] }, context);

    const { history, state } = await readBack(env(), prefix, base - 60, base + 120);
    const expected = truth.expected();
    expect(history.problems).toEqual([]);
    expect(misaligned(state, 10)).toEqual([]);
    expect(withVmPrecision(state, expected)).toEqual(expected);

    // The test has teeth: bucket B of orders{plan:pro} was written once per flush with the running
    // total (3, 5, 6, then 10 after the late point), never with just the new delta.
    const pro = datadogSeriesKey(`${prefix}.orders`, ['plan:pro', 'service:checkout']);
    expect(
      history.writes
        .get(pro)
        ?.get(base)
        ?.map((w) => w.value),
    ).toEqual([3, 5, 6, 10]);
    expect(state[datadogSeriesKey(`${prefix}.queue.depth`, ['service:checkout'])]?.[base]).toBe(99);

    const sent = JSON.stringify(env().proxy.log.map((r) => r.body));
    expect(sent).not.toContain(`${prefix}.stale`);
    expect(sent).not.toContain(`${prefix}.future`);
    const stats = metrics.stats();
    expect(stats.dropped.outOfWindow).toBe(2);
    expect(errors.map((e) => e.code)).toEqual(['OUT_OF_WINDOW']);
    expect(stats).toMatchObject({ flushes: 7, failedFlushes: 0, retries: 0, carriedOver: 0, requests: 7 });
    expect(env().proxy.log).toHaveLength(7);
  });

  it('sends the wire the Datadog API expects: path, key header, deflate, one series per identity', async () => {
    const prefix = freshPrefix('wire');
    const base = alignedBase();
    const clock = testClock(base + 3);
    const { metrics } = e2eClient(env(), prefix, clock, { host: 'fn-1' });
    // Appendix example 6: tag order, case and duplicates do not make a new series.
    metrics.increment('ident', 1, { tags: ['b:2', 'A:1', 'flag'] });
    metrics.increment('ident', 1, { tags: ['a:1', 'b:2', 'b:2', 'flag'] });
    metrics.increment('ident', 5, { tags: { a: 1, b: 2, flag: true }, host: 'fn-2' });
    await metrics.flush();

    const { state } = await readBack(env(), prefix, base - 60, base + 60);
    expect(state).toEqual({
      [datadogSeriesKey(`${prefix}.ident`, ['a:1', 'b:2', 'flag'], 'fn-1')]: { [base]: 2 },
      [datadogSeriesKey(`${prefix}.ident`, ['a:1', 'b:2', 'flag:true'], 'fn-2')]: { [base]: 5 },
    });
    const [request] = env().proxy.log;
    expect(request?.path).toBe('/datadog/api/v1/series');
    expect(request?.headers['dd-api-key']).toBe('test');
    expect(request?.headers['content-encoding']).toBe('deflate');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['user-agent']).toMatch(/^handlerstats\//);
  });
});
