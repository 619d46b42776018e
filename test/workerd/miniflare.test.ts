// Drives workerd through Miniflare from Node, with production request semantics: a request's context
// ends when its response is sent and its ctx.waitUntil work has settled, and whatever else is still
// in flight is cancelled. (Inside @cloudflare/vitest-pool-workers everything runs in the test's own
// long-lived context, so an un-waited fetch is NOT cancelled there; that is why this suite exists.)
// No nodejs_compat flag: the bundles must run without Node built-ins.
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bundleWorker } from './bundle.js';
import { type IntakeRecord, type RecordingIntake, startRecordingIntake, waitFor } from './intake.js';

let intake: RecordingIntake;
const workers: Miniflare[] = [];

async function startWorker(entry: string): Promise<Miniflare> {
  const mf = new Miniflare({
    modules: true,
    script: await bundleWorker(entry),
    compatibilityDate: '2025-09-01',
    cf: false,
    bindings: { DD_API_KEY: 'miniflare-test-key', DD_DD_URL: intake.url },
  });
  workers.push(mf);
  await mf.ready;
  return mf;
}

const countOf = (records: readonly IntakeRecord[], metric: string): number =>
  records
    .filter((r) => r.responded)
    .flatMap((r) => (r.body as { series: { metric: string; points: [number, number][] }[] }).series)
    .filter((s) => s.metric === metric)
    .reduce((sum, s) => sum + s.points.reduce((a, [, v]) => a + v, 0), 0);

beforeAll(async () => {
  intake = await startRecordingIntake();
});
afterAll(async () => {
  await Promise.all(workers.map((mf) => mf.dispose()));
  await intake.close();
});
beforeEach(() => {
  intake.release();
  intake.records.length = 0;
});

describe('withFetchMetrics in workerd (examples/worker)', () => {
  it('keeps the flush alive after the response through ctx.waitUntil', async () => {
    const mf = await startWorker('examples/worker/index.ts');
    intake.hold();
    const res = await mf.dispatchFetch('http://worker.test/orders', {
      method: 'POST',
      body: '{"plan":"pro"}',
    });
    expect(await res.json()).toEqual({ ok: true, total: 9.5 });
    // The response is out; the intake has the flush but has not answered it yet.
    await waitFor(
      () => intake.records.length,
      (n) => n > 0,
      'the flush to reach the intake',
    );
    expect(intake.records.some((r) => r.responded)).toBe(false);
    intake.release();
    const records = await waitFor(
      () => intake.records,
      (rs) => rs.length > 0 && rs.every((r) => r.responded || r.cancelled),
      'the intake to answer',
    );
    expect(records.some((r) => r.cancelled)).toBe(false);
    expect(countOf(records, 'shop.orders.placed')).toBe(1);
  });

  it('delivers every request of concurrent requests in one isolate (later flushes wait for the first)', async () => {
    const mf = await startWorker('examples/worker/index.ts');
    intake.hold();
    const responses = await Promise.all(
      [1, 2, 3].map((i) =>
        mf.dispatchFetch(`http://worker.test/orders`, { method: 'POST', body: `{"items":${i}}` }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    await waitFor(
      () => intake.records.length,
      (n) => n > 0,
      'the first flush',
    );
    intake.release();
    const records = await waitFor(
      () => intake.records,
      (rs) => countOf(rs, 'shop.orders.placed') >= 3 || rs.some((r) => r.cancelled),
      'all three requests to be delivered',
    );
    expect(records.some((r) => r.cancelled)).toBe(false);
    // Last-write-wins per bucket: the client re-sends a bucket's merged total, so read the last value.
    const placed = records
      .flatMap((r) => (r.body as { series: { metric: string; points: [number, number][] }[] }).series)
      .filter((s) => s.metric === 'shop.orders.placed')
      .flatMap((s) => s.points);
    const lastPerBucket = new Map(placed.map(([t, v]) => [t, v]));
    expect([...lastPerBucket.values()].reduce((a, b) => a + b, 0)).toBe(3);
  });
});

describe('a flush not passed to ctx.waitUntil (test/workerd/runtime/fire-and-forget.ts)', () => {
  it('is cancelled by the runtime when the request ends: the client never learns the outcome', async () => {
    const mf = await startWorker('test/workerd/runtime/fire-and-forget.ts');
    intake.hold(); // a network slower than the response, made deterministic
    expect(await (await mf.dispatchFetch('http://worker.test/first')).text()).toBe('ok');
    const [record] = await waitFor(
      () => intake.records,
      (rs) => rs.some((r) => r.cancelled),
      'the runtime to cancel the un-waited request',
    );
    expect(record?.responded).toBe(false);
    intake.release();
    const stats = (await (await mf.dispatchFetch('http://worker.test/stats')).json()) as Record<
      string,
      number
    >;
    expect(stats.recorded).toBe(1);
    expect(stats.flushes).toBe(0); // the flush neither succeeded nor failed: it is gone with its request
  });

  // The orphaned flush never settles (its deadline timer died with its request). The client gives it
  // up once it is well past its own deadline (flushTimeoutMs 1 s + 1 s grace), so a later flush in the
  // isolate delivers again, including the orphan's never-acknowledged data.
  it('gives up an orphaned flush past its deadline; later flushes deliver again', async () => {
    const mf = await startWorker('test/workerd/runtime/fire-and-forget.ts');
    intake.hold();
    await mf.dispatchFetch('http://worker.test/first');
    await waitFor(
      () => intake.records,
      (rs) => rs.some((r) => r.cancelled),
      'the cancellation',
    );
    intake.release();
    await new Promise((r) => setTimeout(r, 2300));
    const probe = (await (await mf.dispatchFetch('http://worker.test/probe')).json()) as { outcome: string };
    expect(probe.outcome).toBe('flushed');
    const delivered = intake.records.filter((r) => r.responded);
    expect(delivered).toHaveLength(1);
    expect(countOf(delivered, 'unwaited.requests')).toBe(2); // /first (re-sent) and /probe
  });
});
