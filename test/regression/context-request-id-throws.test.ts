import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMetrics, type MetricsError } from '../../src/index.js';
import { flushMetrics } from '../../src/integrations/fetch-handler.js';
import { withMetrics, withStreamingMetrics } from '../../src/integrations/lambda.js';
import { metricsMiddleware } from '../../src/integrations/middy.js';
import { createMemoryTransport } from '../../src/testing.js';
import { testClock } from '../helpers/clock.js';

// Claiming an invocation for the Lambda extension read `context.awsRequestId` outside its try: a context
// whose getter throws (a Proxy, a hand-made double) made withMetrics reject with that error instead of
// returning the handler's result, and made middy's `before` hook throw. The fuzz suite found it
// (test/fuzz/integrations-input.test.ts). Every wrapper claims through claimInvocation, which now reads
// the context inside its try: pinned here for each wrapper, with an extension slot present and without.
const SLOT = Symbol.for('handlerstats.lambdaExtension');
const context = {
  getRemainingTimeInMillis: () => 3000,
  get awsRequestId(): string {
    throw new Error('trap: get awsRequestId');
  },
};

function setup() {
  const errors: MetricsError[] = [];
  const transport = createMemoryTransport();
  const metrics = createMetrics({
    transport,
    now: testClock(),
    flushInterval: 0,
    onError: (e) => errors.push(e),
  });
  return { metrics, transport };
}

for (const slot of [false, true]) {
  const label = slot ? 'with an extension slot' : 'without an extension';
  describe(label, () => {
    beforeEach(() => {
      if (slot)
        (globalThis as Record<symbol, unknown>)[SLOT] = { version: 1, claim: () => ({ hold: () => true }) };
    });
    afterEach(() => {
      delete (globalThis as Record<symbol, unknown>)[SLOT];
    });

    it(`withMetrics returns the handler's result (${label}), and flushes before returning`, async () => {
      const { metrics, transport } = setup();
      const handler = withMetrics(metrics, async () => {
        metrics.increment('c');
        return 'result';
      });
      await expect(handler({}, context)).resolves.toBe('result');
      expect(transport.requests).toHaveLength(1);
    });

    it(`metricsMiddleware's hooks do not throw (${label})`, async () => {
      const { metrics, transport } = setup();
      const mw = metricsMiddleware(metrics);
      const request = { context, response: 'result' };
      metrics.increment('c');
      expect(() => mw.before(request)).not.toThrow();
      await expect(mw.after(request)).resolves.toBeUndefined();
      expect(request.response).toBe('result');
      expect(transport.requests).toHaveLength(1);
    });

    it(`withStreamingMetrics and flushMetrics keep the handler's outcome (${label})`, async () => {
      const { metrics, transport } = setup();
      const stream = new Writable({ write: (_c, _e, done) => done() });
      const streaming = withStreamingMetrics(metrics, async (_event: unknown, s: Writable) => {
        metrics.increment('c');
        s.end('x');
        return 'streamed';
      });
      await expect(streaming({}, stream, context)).resolves.toBe('streamed');
      class Handler {
        @flushMetrics(metrics)
        async handle(_event: unknown, _context: unknown) {
          metrics.increment('c');
          return 'decorated';
        }
      }
      await expect(new Handler().handle({}, context)).resolves.toBe('decorated');
      expect(transport.requests).toHaveLength(2);
    });
  });
}
