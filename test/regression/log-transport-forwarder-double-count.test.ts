import { expect, it } from 'vitest';
import { createLogTransport, createMetrics } from '../../src/index.js';
import { testClock } from '../helpers/clock.js';

// The Datadog Forwarder submits every {"m","v","e","t"} line as a *distribution* point
// (DataDog/datadog-serverless-functions aws/logs_monitoring forward_metrics → lambda_stats.distribution), so
// values add up. Re-writing a bucket's merged total after a second invocation double-counts: 3 + 5 = 8.
it('log transport: two invocations in one bucket add up to the true total at the Forwarder', async () => {
  const clock = testClock();
  const lines: string[] = [];
  const metrics = createMetrics({
    transport: createLogTransport((l) => lines.push(l)),
    now: clock,
    flushInterval: 0,
    onError: () => {},
  });
  metrics.increment('c', 3);
  await metrics.flush();
  metrics.increment('c', 2);
  await metrics.flush();
  const total = lines
    .map((l) => JSON.parse(l) as { m: string; v: number })
    .filter((p) => p.m === 'c')
    .reduce((n, p) => n + p.v, 0);
  expect(total).toBe(5);
});
