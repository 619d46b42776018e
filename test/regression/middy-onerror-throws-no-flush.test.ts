import middy from '@middy/core';
import { expect, it } from 'vitest';
import { createMetrics } from '../../src/index.js';
import { withMetrics } from '../../src/integrations/lambda.js';
import { metricsMiddleware } from '../../src/integrations/middy.js';
import { createMemoryTransport } from '../../src/testing.js';
import { testClock } from '../helpers/clock.js';

// metricsMiddleware registered first. The handler fails and a later-registered middleware's onError
// (which middy runs *before* ours) throws. middy then rethrows at once and skips our onError: no middleware
// can wait for a flush there (the README says so). The guaranteed path is withMetrics around the middy
// handler; this pins both: the gap, and that the recommended wrapper closes it.
it('a throwing later onError skips the middleware flush; withMetrics around middy still flushes', async () => {
  const transport = createMemoryTransport();
  const metrics = createMetrics({ transport, now: testClock(), flushInterval: 0, onError: () => {} });
  const make = () =>
    middy(async () => {
      metrics.increment('attempts');
      throw new Error('boom');
    })
      .use(metricsMiddleware(metrics))
      .use({
        onError: (request) => {
          throw new Error(`wrapped: ${(request.error as Error).message}`);
        },
      });
  const ctx = { getRemainingTimeInMillis: () => 3000 };
  await expect(make()({}, ctx as never)).rejects.toThrow('wrapped: boom');
  expect(transport.requests).toHaveLength(0); // the middy limitation
  const guarded = withMetrics(metrics, make());
  await expect(guarded({}, ctx)).rejects.toThrow('wrapped: boom');
  expect(transport.requests.length).toBeGreaterThan(0); // flushed before the rejection reached Lambda
});
