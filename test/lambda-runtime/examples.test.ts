// The example handlers (examples/lambda, examples/middy), bundled as deployed, in the real Lambda
// runtime interface client on Node 20, 22 and 24, frozen (SIGSTOP) between invocations. Both run in
// after-response mode, as serverless.yml deploys them: examples/lambda registers the extension at its
// top level, examples/middy through NODE_OPTIONS=--import=./handlerstats-extension.mjs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IntakeRecord } from '../helpers/recording-intake.js';
import type { Outcome } from './runtime-api.js';
import { alignedBucket, type Bundles, prepareBundles, runtimeMatrix } from './runtimes.js';
import { metricNames, openSession, type Session, seriesIn } from './session.js';

/** serverless.yml's setting for orders-middy. */
const PRELOAD = { NODE_OPTIONS: '--import=./handlerstats-extension.mjs' };

/**
 * The intake requests of one invocation in after-response mode: sent after its response, answered
 * before the sandbox froze (the extension waited for them).
 */
async function flushedAfter(s: Session, outcome: Outcome): Promise<IntakeRecord[]> {
  const freeze = await s.timeline.waitFor('freeze', { after: outcome.seq });
  const records = s.intake.records.filter((r) => r.seq > outcome.seq && r.seq < freeze.seq);
  expect(records.length).toBeGreaterThan(0);
  expect(records.every((r) => (r.answeredSeq ?? Number.POSITIVE_INFINITY) < freeze.seq)).toBe(true);
  return records;
}

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
    const env = bundle === 'orders-middy' ? PRELOAD : {};
    session = await openSession(runtime, bundles.dirs[bundle], 'handler.handler', env);
    return session;
  };

  it('withMetrics: each invocation is at the intake after its response and before its freeze, merged per bucket', async () => {
    const s = await open('orders');
    const T = alignedBucket();
    const invoked = await s.invoke({ orderId: 'a', plan: 'pro', items: 2, placedAt: T });
    expect(invoked.outcome).toMatchObject({ kind: 'response', body: { statusCode: 200 } });
    expect(invoked.records).toEqual([]); // nothing before the response
    const first = { outcome: invoked.outcome, records: await flushedAfter(s, invoked.outcome) };
    expect(metricNames(first.records)).toEqual(
      expect.arrayContaining(['shop.invocations', 'shop.orders.by_plan', 'shop.orders.placed']),
    );
    expect(first.records.some((r) => r.path === '/api/v1/distribution_points')).toBe(true);
    expect(seriesIn(first.records, 'shop.invocations')[0]?.tags).toContain('cold_start:true');
    expect(seriesIn(first.records, 'shop.orders.by_plan', 'plan:pro')[0]?.points).toEqual([[T, 1]]);

    await s.untilFrozen();
    const frozenAt = s.intake.records.length;
    await sleep(FROZEN_GAP_MS);
    expect(s.intake.records).toHaveLength(frozenAt); // nothing trickles in while frozen

    const { outcome } = await s.invoke({ orderId: 'b', plan: 'pro', placedAt: T });
    expect(outcome.kind).toBe('response');
    const second = { outcome, records: await flushedAfter(s, outcome) };
    // Same bucket as invocation 1: the merged total, not the last invocation's 1.
    expect(seriesIn(second.records, 'shop.orders.by_plan', 'plan:pro')[0]?.points).toEqual([[T, 2]]);
    expect(seriesIn(second.records, 'shop.invocations')[0]?.tags).toContain('cold_start:false');
    expect(second.records.every((r) => r.apiKey === 'test-key')).toBe(true);
  });

  it('withMetrics: a slow intake is cut when the hold ends and its data carried to the next invocation', async () => {
    const s = await open('orders');
    const T = alignedBucket();
    s.intake.delayMs = 60_000;
    // Deadline in 2.5 s: the hold is ~2 s (remaining time - 500 ms margin), the intake answers in 60.
    const cut = await s.invoke({ plan: 'free', placedAt: T }, 2500);
    expect(cut.outcome).toMatchObject({ kind: 'response', body: { statusCode: 200 } });
    const freeze = await s.timeline.waitFor('freeze', { after: cut.outcome.seq });
    // The request reached the intake after the response and was never answered: the hold ended first.
    const held = s.intake.records.filter((r) => r.seq > cut.outcome.seq && r.seq < freeze.seq);
    expect(held.length).toBeGreaterThan(0);
    expect(held.every((r) => r.answeredSeq === undefined)).toBe(true);
    await s.untilOutput('DEADLINE_EXCEEDED'); // reported through onError (console.warn by default)

    s.intake.delayMs = 0;
    const { outcome } = await s.invoke({ plan: 'free', placedAt: T });
    expect(outcome.kind).toBe('response');
    const next = await flushedAfter(s, outcome);
    expect(seriesIn(next, 'shop.orders.by_plan', 'plan:free')[0]?.points).toEqual([[T, 2]]);
  });

  it('middy (NODE_OPTIONS=--import): metrics after the response and before the freeze on success, on a thrown error and on an early return', async () => {
    const s = await open('orders-middy');
    const T = alignedBucket();
    const invoke = async (event: Record<string, unknown>) => {
      const { outcome } = await s.invoke(event);
      return { outcome, records: await flushedAfter(s, outcome) };
    };
    await s.untilFrozen();
    expect(s.timeline.seqOf('extension-register', { extension: 'handlerstats' })).toBeLessThan(
      s.timeline.seqOf('runtime-next'),
    );
    const ok = await invoke({ cartId: 'c1', items: 3, placedAt: T });
    expect(ok.outcome).toMatchObject({ kind: 'response', body: { statusCode: 200 } });
    expect(seriesIn(ok.records, 'shop.carts.checked_out')[0]?.points).toEqual([[T, 1]]);
    expect(seriesIn(ok.records, 'shop.invocations')[0]?.tags).toContain('cold_start:true');

    await s.untilFrozen();
    const frozenAt = s.intake.records.length;
    await sleep(FROZEN_GAP_MS);
    expect(s.intake.records).toHaveLength(frozenAt);

    const failed = await invoke({ cartId: 'c2', placedAt: T, fail: true });
    expect(failed.outcome).toMatchObject({ kind: 'error', body: { errorMessage: 'payment declined' } });
    expect(seriesIn(failed.records, 'shop.carts.checked_out')[0]?.points).toEqual([[T, 2]]);
    expect(metricNames(failed.records)).toContain('shop.carts.failed');

    const cached = await invoke({ cached: true });
    expect(cached.outcome).toMatchObject({ kind: 'response', body: { body: '{"cached":true}' } });
    expect(metricNames(cached.records)).toEqual(['shop.carts.cache_hit', 'shop.invocations']);
  });
});
