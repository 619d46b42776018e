import { expect, it } from 'vitest';
import { createMetrics, type MetricsError } from '../../src/index.js';
import { withMetrics } from '../../src/integrations/lambda.js';
import { createMemoryTransport } from '../../src/testing.js';
import { T0, testClock } from '../helpers/clock.js';
import { lastWriteWins, seriesOf } from '../helpers/wire.js';

// 0.1: 20 concurrent withMetrics invocations, one with 40 ms of budget and the others with 10 s: all 20
// resolved after ~265 ms and 19 of 20 points stayed buffered (19 × DEADLINE_EXCEEDED), because the
// queued run took the options of whoever queued first.
it('every caller keeps its own deadline: joiners with time left get their data sent', async () => {
  const inner = createMemoryTransport();
  const transport = {
    async send(req: Parameters<typeof inner.send>[0], signal: AbortSignal) {
      await new Promise((r) => setTimeout(r, 60)); // a 60 ms intake
      return inner.send(req, signal);
    },
  };
  const errors: MetricsError[] = [];
  const metrics = createMetrics({
    transport,
    now: testClock(),
    flushInterval: 0,
    onError: (e) => errors.push(e),
  });
  const handler = withMetrics(metrics, async (event: { n: number }) => {
    metrics.increment('orders', 1, { tags: [`n:${event.n}`] });
    return event.n;
  });
  const started = performance.now();
  const context = (ms: number) => ({ getRemainingTimeInMillis: () => ms - (performance.now() - started) });
  const ends: number[] = [];
  const results = await Promise.all(
    Array.from({ length: 20 }, async (_, n) => {
      const r = await handler({ n }, context(n === 0 ? 540 : 10_500)); // 40 ms and 10 s after the 500 ms margin
      ends[n] = performance.now() - started;
      return r;
    }),
  );
  expect(results).toEqual(Array.from({ length: 20 }, (_, n) => n));
  expect(ends[0]!).toBeLessThan(300); // the short one returned at its own deadline (40 ms, timers permitting)
  const stored = lastWriteWins(seriesOf(inner.requests));
  for (let n = 0; n < 20; n++) expect(stored.get(`orders{n:${n}}`)?.get(T0)).toBe(1);
  expect(metrics.stats().buffered).toBe(0);
  expect(errors.filter((e) => e.code === 'DEADLINE_EXCEEDED').length).toBeLessThanOrEqual(1);
});

it('each caller’s report says what was acknowledged by its own deadline', async () => {
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const inner = createMemoryTransport();
  const metrics = createMetrics({
    transport: {
      async send(req, signal) {
        await gate;
        return inner.send(req, signal);
      },
    },
    now: testClock(),
    flushInterval: 0,
    onError: () => {},
  });
  metrics.increment('c', 1);
  const short = metrics.flush({ timeoutMs: 30 }).catch((e: { report: unknown }) => e.report);
  const long = metrics.flush({ timeoutMs: 5000 });
  expect(await short).toMatchObject({ ok: false, points: 0, carried: 1 });
  release();
  expect(await long).toMatchObject({ ok: true, points: 1, carried: 0 });
});
