// The example handlers (examples/lambda, examples/middy), bundled as deployed, in the real Lambda
// runtime interface client on Node 20, 22 and 24, frozen (SIGSTOP) between invocations.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alignedBucket, type Bundles, prepareBundles, runtimeMatrix } from './runtimes.js';
import { metricNames, openSession, type Session, seriesIn } from './session.js';

const FROZEN_GAP_MS = 2000; // longer than the intake's keep-alive timeout: the thawed client meets a closed socket
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let bundles: Bundles;
beforeAll(async () => {
  bundles = await prepareBundles(['orders', 'orders-middy']);
}, 120_000);
afterAll(() => bundles?.remove());

describe.each(runtimeMatrix())('$label', (runtime) => {
  let session: Session | undefined;
  afterAll(async () => session?.stop());
  const open = async (bundle: 'orders' | 'orders-middy'): Promise<Session> => {
    await session?.stop();
    session = await openSession(runtime, bundles.dirs[bundle], 'handler.handler');
    return session;
  };

  it('withMetrics: each invocation is at the intake before its response, across a freeze, merged per bucket', async () => {
    const s = await open('orders');
    const T = alignedBucket();
    const first = await s.invoke({ orderId: 'a', plan: 'pro', items: 2, placedAt: T });
    expect(first.outcome).toMatchObject({ kind: 'response', body: { statusCode: 200 } });
    expect(metricNames(first.records)).toEqual(
      expect.arrayContaining(['shop.invocations', 'shop.orders.by_plan', 'shop.orders.placed']),
    );
    expect(first.records.some((r) => r.path === '/api/v1/distribution_points')).toBe(true);
    expect(seriesIn(first.records, 'shop.invocations')[0]?.tags).toContain('cold_start:true');
    expect(seriesIn(first.records, 'shop.orders.by_plan', 'plan:pro')[0]?.points).toEqual([[T, 1]]);

    await s.untilFrozen();
    await sleep(FROZEN_GAP_MS);
    expect(s.after(first.outcome.seq)).toEqual([]); // nothing trickles in while frozen

    const second = await s.invoke({ orderId: 'b', plan: 'pro', placedAt: T });
    expect(second.outcome.kind).toBe('response');
    // Same bucket as invocation 1: the merged total, not the last invocation's 1.
    expect(seriesIn(second.records, 'shop.orders.by_plan', 'plan:pro')[0]?.points).toEqual([[T, 2]]);
    expect(seriesIn(second.records, 'shop.invocations')[0]?.tags).toContain('cold_start:false');
    expect(second.records.every((r) => r.apiKey === 'test-key')).toBe(true);
  });

  it('withMetrics: a slow intake is cut at the deadline and its data carried to the next invocation', async () => {
    const s = await open('orders');
    const T = alignedBucket();
    s.intake.delayMs = 60_000;
    // Deadline in 2.5 s: the flush gets ~2 s (remaining time - 500 ms margin), the intake answers in 60.
    const cut = await s.invoke({ plan: 'free', placedAt: T }, 2500);
    expect(cut.outcome).toMatchObject({ kind: 'response', body: { statusCode: 200 } });
    // The request reached the intake but was never answered: the handler did not wait for it.
    expect(cut.records.length).toBeGreaterThan(0);
    expect(cut.records.every((r) => r.answeredSeq === undefined)).toBe(true);
    await s.untilOutput('DEADLINE_EXCEEDED'); // reported through onError (console.warn by default)

    s.intake.delayMs = 0;
    const next = await s.invoke({ plan: 'free', placedAt: T });
    expect(next.outcome.kind).toBe('response');
    expect(seriesIn(next.records, 'shop.orders.by_plan', 'plan:free')[0]?.points).toEqual([[T, 2]]);
  });

  it('middy: metrics before the response on success, on a thrown error and on an early return', async () => {
    const s = await open('orders-middy');
    const T = alignedBucket();
    const ok = await s.invoke({ cartId: 'c1', items: 3, placedAt: T });
    expect(ok.outcome).toMatchObject({ kind: 'response', body: { statusCode: 200 } });
    expect(seriesIn(ok.records, 'shop.carts.checked_out')[0]?.points).toEqual([[T, 1]]);
    expect(seriesIn(ok.records, 'shop.invocations')[0]?.tags).toContain('cold_start:true');

    await s.untilFrozen();
    await sleep(FROZEN_GAP_MS);
    expect(s.after(ok.outcome.seq)).toEqual([]);

    const failed = await s.invoke({ cartId: 'c2', placedAt: T, fail: true });
    expect(failed.outcome).toMatchObject({ kind: 'error', body: { errorMessage: 'payment declined' } });
    expect(seriesIn(failed.records, 'shop.carts.checked_out')[0]?.points).toEqual([[T, 2]]);
    expect(metricNames(failed.records)).toContain('shop.carts.failed');

    const cached = await s.invoke({ cached: true });
    expect(cached.outcome).toMatchObject({ kind: 'response', body: { body: '{"cached":true}' } });
    expect(metricNames(cached.records)).toEqual(['shop.carts.cache_hit', 'shop.invocations']);
  });
});
