// Runs inside workerd (@cloudflare/vitest-pool-workers). The examples are imported the way a user's
// bundler resolves them (`handlerstats` → dist/worker.js through the `workerd` export condition) and
// flush to the recording intake on 127.0.0.1 started by test/workerd/global-setup.ts.
import {
  createExecutionContext,
  createScheduledController,
  SELF,
  waitOnExecutionContext,
} from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import * as handlerstats from 'handlerstats';
import { withFetchMetrics } from 'handlerstats/fetch-handler';
import { beforeEach, describe, expect, it } from 'vitest';
import { Api } from '../../../examples/entrypoint/index.js';
import moduleWorker, { type Env } from '../../../examples/worker/index.js';
import { countsOf, intake, waitForRecords } from './intake-client.js';

const worker: ExportedHandler<Env> = moduleWorker;
/** A request as a fetch handler receives it (typed with the incoming `cf` properties). */
const request = (path: string, init?: { method?: string; body?: string }) =>
  new Request<unknown, IncomingRequestCfProperties>(`http://worker.test${path}`, init);
const post = (path: string, body: unknown) => request(path, { method: 'POST', body: JSON.stringify(body) });

beforeEach(async () => {
  await intake.release();
  await intake.clear();
});

it('resolves handlerstats to the Workers entry (no node:http transport)', () => {
  expect(typeof handlerstats.createMetrics).toBe('function');
  expect('createHttpTransport' in handlerstats).toBe(false);
  expect(navigator.userAgent).toBe('Cloudflare-Workers');
});

describe('module worker wrapped with withFetchMetrics (examples/worker)', () => {
  it('answers before the flush, then delivers the metrics through ctx.waitUntil', async () => {
    await intake.hold();
    const ctx = createExecutionContext();
    const res = await worker.fetch!(post('/orders', { plan: 'pro', items: 3 }), env, ctx);
    expect(await res.json()).toEqual({ ok: true, total: 28.5 });
    // The intake holds its answers: the response did not wait for the flush.
    expect((await intake.records()).some((r) => r.responded)).toBe(false);
    await intake.release();
    await waitOnExecutionContext(ctx);
    const records = await intake.records();
    expect(records.every((r) => r.responded && r.apiKey === 'workerd-test-key')).toBe(true);
    const counts = countsOf(records);
    expect(counts.get('shop.orders.placed{plan:pro,runtime:workerd}')).toBe(1);
    expect(counts.get('shop.requests{path:/orders,runtime:workerd}')).toBe(1);
    const dist = records.find((r) => r.path === '/api/v1/distribution_points')?.body.series[0];
    expect(dist?.metric).toBe('shop.orders.items');
    expect(dist?.points[0]?.[1]).toEqual([3]);
  });

  it('lets an error through and still flushes', async () => {
    const ctx = createExecutionContext();
    await expect(worker.fetch!(request('/boom'), env, ctx)).rejects.toThrow('boom');
    await waitOnExecutionContext(ctx);
    expect(countsOf(await intake.records()).get('shop.requests{path:/boom,runtime:workerd}')).toBe(1);
  });

  it('flushes after a scheduled event', async () => {
    const ctx = createExecutionContext();
    await worker.scheduled!(createScheduledController({ cron: '0 12 * * *' }), env, ctx);
    await waitOnExecutionContext(ctx);
    const runs = [...countsOf(await intake.records())].filter(([key]) =>
      key.startsWith('shop.cron.runs{cron:'),
    );
    expect(runs).toHaveLength(1);
    expect(runs[0]?.[1]).toBe(1);
  });

  it("with flush: 'await', returns only once the intake answered", async () => {
    const metrics = handlerstats.createMetrics({
      apiKey: env.DD_API_KEY,
      intakeUrl: env.DD_DD_URL,
      namespace: 'awaited',
    });
    const error = new Error('kept');
    const inner: ExportedHandler<Env> = {
      async fetch(req) {
        metrics.increment('requests');
        if (req.url.endsWith('/fail')) throw error;
        return new Response('ok');
      },
    };
    const handler = withFetchMetrics(metrics, inner, { flush: 'await' });
    await intake.hold();
    let settled = false;
    const pending = handler.fetch!(request('/'), env, createExecutionContext());
    pending.then(() => {
      settled = true;
    });
    await waitForRecords((records) => records.length > 0);
    expect(settled).toBe(false);
    await intake.release();
    expect(await (await pending).text()).toBe('ok');
    expect(countsOf(await intake.records()).get('awaited.requests{}')).toBe(1);
    // The handler's own error, unchanged, after the flush.
    await expect(handler.fetch!(request('/fail'), env, createExecutionContext())).rejects.toBe(error);
    expect(countsOf(await intake.records()).get('awaited.requests{}')).toBe(2);
  });
});

describe('WorkerEntrypoint with @flushMetrics and @metrics.timed (examples/entrypoint)', () => {
  it('dispatched by the runtime: the metrics arrive through this.ctx.waitUntil', async () => {
    const res = await SELF.fetch('http://worker.test/users?id=p1');
    expect(await res.json()).toEqual({ id: 'p1', plan: 'pro' });
    const records = await waitForRecords((rs) => countsOf(rs).get('api.requests{path:/users}') === 1);
    const counts = countsOf(records);
    expect(counts.get('api.lookup.duration.count{}')).toBeGreaterThanOrEqual(1);
    const metrics = records.flatMap((r) => r.body.series.map((s) => s.metric));
    expect(metrics).toContain('api.users.unique');
    expect(metrics).toContain('api.lookup.duration.max');
  });

  it('constructed with an ExecutionContext: fetch, errors and RPC methods flush through ctx.waitUntil', async () => {
    const ctx = createExecutionContext();
    const api = new Api(ctx, env);
    expect(await (await api.fetch(new Request('http://worker.test/direct?id=x'))).json()).toEqual({
      id: 'x',
      plan: 'free',
    });
    await expect(api.fetch(new Request('http://worker.test/boom'))).rejects.toThrow('boom');
    expect(await api.add(2, 3)).toBe(5);
    await waitOnExecutionContext(ctx);
    const counts = countsOf(await intake.records());
    expect(counts.get('api.requests{path:/direct}')).toBe(1);
    expect(counts.get('api.requests{path:/boom}')).toBe(1);
    expect(counts.get('api.rpc.calls{method:add}')).toBe(1);
  });
});
