import { expect, it } from 'vitest';
import { createMetrics } from '../../src/index.js';
import { withMetrics } from '../../src/integrations/lambda.js';
import { createMemoryTransport } from '../../src/testing.js';
import { testClock } from '../helpers/clock.js';

// 0.1: a callback-style handler that never calls back left the wrapper's promise pending forever: no
// flush, no onError. aws-lambda-ric 3 ends such an invocation when the event loop empties (`beforeExit`);
// the wrapped one now does the same, after flushing. (The real runtime: test/lambda-runtime/handlers.)
it('settles with undefined when the event loop empties, after flushing', async () => {
  const transport = createMemoryTransport();
  const metrics = createMetrics({ transport, now: testClock(), flushInterval: 0, onError: () => {} });
  const handler = withMetrics(
    metrics,
    (_event: unknown, _context: unknown, _callback: (e?: unknown, r?: unknown) => void) => {
      metrics.increment('forgot.to.call.back');
    },
  );
  let settled: unknown = 'pending';
  const done = handler({}, { getRemainingTimeInMillis: () => 3000 }).then((r) => {
    settled = r;
  });
  await new Promise((r) => setTimeout(r, 20));
  expect(settled).toBe('pending');
  expect(process.listenerCount('beforeExit')).toBeGreaterThan(0);
  process.emit('beforeExit', 0); // what Node does once nothing else is left to run
  await done;
  expect(settled).toBeUndefined();
  expect(transport.requests).toHaveLength(1);
});

it('leaves no beforeExit listener behind when the handler does settle', async () => {
  const metrics = createMetrics({ transport: createMemoryTransport(), now: testClock(), flushInterval: 0 });
  const before = process.listenerCount('beforeExit');
  const handler = withMetrics(metrics, (_e: unknown, _c: unknown, cb: (e?: unknown, r?: unknown) => void) =>
    cb(null, 7),
  );
  for (let i = 0; i < 100; i++) expect(await handler({}, {})).toBe(7);
  expect(process.listenerCount('beforeExit')).toBe(before);
});
