import { expect, it } from 'vitest';
import { createMetrics, type MetricsError } from '../../src/index.js';
import { withMetrics } from '../../src/integrations/lambda.js';
import { metricsMiddleware } from '../../src/integrations/middy.js';
import { createMemoryTransport } from '../../src/testing.js';
import { testClock } from '../helpers/clock.js';

// flushWithin() calls flushBudget() (which calls context.getRemainingTimeInMillis()) outside its try:
// a context whose getRemainingTimeInMillis throws (a hand-made test double, a class-based handler whose
// argument merely looks like a Lambda context) makes the wrapper reject with that error instead of
// returning the handler's own result (DESIGN §6: integrations catch, report, and return the result).
const context = {
  getRemainingTimeInMillis: (): number => {
    throw new Error('context is gone');
  },
};

function setup() {
  const errors: MetricsError[] = [];
  const metrics = createMetrics({
    transport: createMemoryTransport(),
    now: testClock(),
    flushInterval: 0,
    onError: (e) => errors.push(e),
  });
  return { metrics, errors };
}

it("withMetrics returns the handler's result when the context's getRemainingTimeInMillis throws", async () => {
  const { metrics, errors } = setup();
  const handler = withMetrics(metrics, async () => 'result');
  await expect(handler({}, context)).resolves.toBe('result');
  expect(errors.length).toBeGreaterThan(0);
});

it('metricsMiddleware does not fail the request when getRemainingTimeInMillis throws', async () => {
  const { metrics } = setup();
  const mw = metricsMiddleware(metrics);
  const request = { context, response: 'result' };
  mw.before(request);
  await expect(mw.after(request)).resolves.toBeUndefined();
  expect(request.response).toBe('result');
});
