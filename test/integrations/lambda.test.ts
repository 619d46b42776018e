import { describe, expect, expectTypeOf, it } from 'vitest';
import { createMetrics, type MetricsError, type Transport } from '../../src/index.js';
import { withMetrics } from '../../src/integrations/lambda.js';
import { createMemoryTransport } from '../../src/testing.js';
import { T0, testClock } from '../helpers/clock.js';
import { seriesOf } from '../helpers/wire.js';

const context = (remainingMs = 3000) => {
  const end = performance.now() + remainingMs;
  return { getRemainingTimeInMillis: () => end - performance.now(), awsRequestId: 'req-1' };
};

function setup(transport: Transport = createMemoryTransport()) {
  const errors: MetricsError[] = [];
  const metrics = createMetrics({
    transport,
    now: testClock(),
    flushInterval: 0,
    onError: (e) => errors.push(e),
  });
  return { metrics, errors };
}

describe('withMetrics', () => {
  it('flushes before the invocation returns and passes the result through', async () => {
    const transport = createMemoryTransport();
    const { metrics } = setup(transport);
    const sentBefore: number[] = [];
    const handler = withMetrics(metrics, async (event: { n: number }) => {
      metrics.increment('calls', event.n);
      sentBefore.push(transport.requests.length);
      return { statusCode: 200 };
    });
    await expect(handler({ n: 2 }, context())).resolves.toEqual({ statusCode: 200 });
    expect(seriesOf(transport.requests)[0]?.points).toEqual([[T0, 2]]);
    await handler({ n: 3 }, context());
    expect(seriesOf(transport.requests)[1]?.points).toEqual([[T0, 5]]);
    expect(sentBefore).toEqual([0, 1]);
  });

  it("rethrows the handler's own error unchanged, after flushing", async () => {
    const transport = createMemoryTransport();
    const { metrics } = setup(transport);
    const boom = new TypeError('boom');
    const handler = withMetrics(metrics, async () => {
      metrics.increment('failures');
      throw boom;
    });
    const caught = await handler({}, context()).catch((e: unknown) => e);
    expect(caught).toBe(boom);
    expect(transport.requests).toHaveLength(1);
  });

  it('never fails the handler because of metrics: a failing intake is reported, the result returned', async () => {
    const transport = createMemoryTransport({ respond: () => 500 });
    const { metrics, errors } = setup(transport);
    const handler = withMetrics(metrics, async () => {
      metrics.increment('c');
      return 'ok';
    });
    await expect(handler({}, context(1000))).resolves.toBe('ok');
    expect(errors.map((e) => e.code)).toEqual([expect.stringMatching(/DEADLINE_EXCEEDED|HTTP_ERROR/)]);
    expect(metrics.stats().buffered).toBe(1);
  });

  it('cuts the flush at remaining time minus the margin and carries the data over', async () => {
    let hang = true;
    const inner = createMemoryTransport();
    const transport: Transport = {
      send: (req, signal) =>
        hang
          ? new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)))
          : inner.send(req, signal),
    };
    const { metrics } = setup(transport);
    const handler = withMetrics(
      metrics,
      async () => {
        metrics.increment('c');
        return 1;
      },
      { deadlineMarginMs: 100 },
    );
    const started = performance.now();
    await handler({}, context(400));
    const took = performance.now() - started;
    expect(took).toBeLessThan(400);
    expect(took).toBeGreaterThanOrEqual(250);
    hang = false;
    await handler({}, context(400));
    expect(seriesOf(inner.requests)[0]?.points).toEqual([[T0, 2]]);
  });

  it('skips the flush when no time is left, and reports it', async () => {
    const transport = createMemoryTransport();
    const { metrics, errors } = setup(transport);
    const handler = withMetrics(metrics, async () => metrics.increment('c'));
    await handler({}, context(100));
    expect(transport.requests).toHaveLength(0);
    expect(errors.map((e) => e.code)).toContain('DEADLINE_EXCEEDED');
  });

  it('accepts callback-style handlers; the returned function declares 2 parameters (Node 24 runtime)', async () => {
    const transport = createMemoryTransport();
    const { metrics } = setup(transport);
    const ok = withMetrics(
      metrics,
      (event: { x: number }, _ctx, callback: (e?: unknown, r?: number) => void) => {
        metrics.increment('cb');
        setTimeout(() => callback(null, event.x * 2), 1);
      },
    );
    expect(ok.length).toBeLessThan(3);
    await expect(ok({ x: 21 }, context())).resolves.toBe(42);
    const failing = withMetrics(metrics, (_e: unknown, _c, callback: (e?: unknown) => void) =>
      callback(new Error('cb-error')),
    );
    await expect(failing({}, context())).rejects.toThrow('cb-error');
    expect(seriesOf(transport.requests).map((s) => s.points)).toEqual([[[T0, 1]]]);
  });

  it('records an optional cold-start metric', async () => {
    const transport = createMemoryTransport();
    const { metrics } = setup(transport);
    const handler = withMetrics(metrics, async () => 1, { coldStartMetric: 'invocations' });
    await handler({}, context());
    await handler({}, context());
    const tags = seriesOf(transport.requests).map((s) => `${s.tags.join(',')}=${s.points[0]?.[1]}`);
    expect(tags).toEqual(['cold_start:true=1', 'cold_start:false=1']);
  });

  it('rejects bad arguments with clear errors', () => {
    const { metrics } = setup();
    expect(() => withMetrics(metrics, 'nope' as never)).toThrow(TypeError);
    expect(() => withMetrics(metrics, async () => 1, { deadlineMarginMs: -1 })).toThrow(/deadlineMarginMs/);
  });

  it('keeps the handler types', () => {
    const { metrics } = setup();
    const handler = withMetrics(metrics, async (event: { id: string }) => ({ ok: event.id }));
    expectTypeOf(handler).parameter(0).toEqualTypeOf<{ id: string }>();
    expectTypeOf(handler).returns.resolves.toEqualTypeOf<{ ok: string }>();
  });
});
