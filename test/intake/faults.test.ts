import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/index.js';
import { type Intake, startIntake } from '../../src/intake/index.js';
import { postJson, send } from '../helpers/intake-http.js';

let intake: Intake;
afterEach(async () => {
  await intake?.close();
});
const now = (): number => Math.floor(Date.now() / 1000);
const series = () => ({ series: [{ metric: 'c', type: 'count', points: [[now(), 1]] }] });
const post = () => postJson(intake.url, '/api/v1/series', series());

describe('fault injection', () => {
  it('fails the next N requests with a status and Retry-After, then recovers', async () => {
    intake = await startIntake({ quiet: true });
    intake.faults.inject({ status: 503, count: 2, retryAfter: 1 });
    const first = await post();
    expect([first.status, first.headers['retry-after'], first.json]).toEqual([
      503,
      '1',
      { errors: ['Injected fault'] },
    ]);
    expect((await post()).status).toBe(503);
    expect((await post()).status).toBe(202);
    const snap = intake.received();
    expect(snap.counts).toMatchObject({ requests: 3, accepted: 1, faulted: 2, rejected: { 503: 2 } });
    expect(snap.series[0]!.writes).toBe(1);
  });

  it('is driven over HTTP: POST /api/faults queues, GET shows, DELETE clears, bad faults are 400', async () => {
    intake = await startIntake({ quiet: true });
    const set = await postJson(intake.url, '/api/faults', { status: 429, count: 1 }, { headers: {} });
    expect(set.json).toEqual({ queue: [{ status: 429, count: 1 }] });
    expect((await post()).status).toBe(429);
    expect((await post()).status).toBe(202);
    await postJson(intake.url, '/api/faults', { status: 500 }, { headers: {} });
    expect((await send(intake.url, '/api/faults')).json).toEqual({ permanent: { status: 500 }, queue: [] });
    expect((await post()).status).toBe(500);
    expect((await post()).status).toBe(500);
    expect((await send(intake.url, '/api/faults', undefined, { method: 'DELETE' })).status).toBe(200);
    expect((await post()).status).toBe(202);
    for (const bad of [{ status: 99 }, { count: 2 }, { status: 503, count: 0 }, { nope: true }, [1]])
      expect((await postJson(intake.url, '/api/faults', bad, { headers: {} })).status).toBe(400);
  });

  it('delays responses', async () => {
    intake = await startIntake({ quiet: true, faults: [{ delayMs: 150 }] });
    const started = performance.now();
    expect((await post()).status).toBe(202);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('combines a permanent delay with a queued status', async () => {
    intake = await startIntake({ quiet: true });
    intake.faults.inject({ delayMs: 80 });
    intake.faults.inject({ status: 502, count: 1 });
    const started = performance.now();
    expect((await post()).status).toBe(502);
    expect(performance.now() - started).toBeGreaterThanOrEqual(70);
    expect((await post()).status).toBe(202);
  });

  it('resets the connection', async () => {
    intake = await startIntake({ quiet: true });
    intake.faults.inject({ reset: true, count: 1 });
    await expect(post()).rejects.toMatchObject({ code: expect.stringMatching(/ECONNRESET|EPIPE/) });
    expect((await post()).status).toBe(202);
    expect(intake.received().series[0]!.writes).toBe(1);
  });

  it('accepts and never answers (hang); close() still ends it', async () => {
    intake = await startIntake({ quiet: true });
    intake.faults.inject({ hang: true, count: 1 });
    await expect(postJson(intake.url, '/api/v1/series', series(), { timeoutMs: 200 })).rejects.toMatchObject({
      code: 'TIMEOUT',
    });
    intake.faults.inject({ hang: true });
    const pending = post().catch((e: NodeJS.ErrnoException) => e.code);
    await new Promise((r) => setTimeout(r, 50));
    const closing = performance.now();
    await intake.close();
    expect(performance.now() - closing).toBeLessThan(1000);
    expect(await pending).toMatch(/ECONNRESET|socket hang up/i);
  });

  it('the real client retries through an injected 503 and the intake holds the bucket total', async () => {
    intake = await startIntake({ quiet: true, faults: [{ status: 503, count: 1 }] });
    const metrics = createMetrics({ intakeUrl: intake.url, apiKey: 'test-key', flushInterval: 0 });
    metrics.increment('orders', 2);
    const report = await metrics.flush();
    expect(report).toMatchObject({ ok: true, retries: 1 });
    metrics.increment('orders', 3);
    await metrics.close();
    const [orders] = intake.received().series;
    expect(orders).toMatchObject({ metric: 'orders', type: 'count', writes: 2, overwrites: 1 });
    expect(orders!.points.map((p) => p[1])).toEqual([5]);
  });
});
