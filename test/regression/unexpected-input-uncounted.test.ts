import { expect, it } from 'vitest';
import { createMetrics } from '../../src/index.js';
import { createMemoryTransport } from '../../src/testing.js';
import { testClock } from '../helpers/clock.js';

function client() {
  return createMetrics({
    transport: createMemoryTransport(),
    now: testClock(),
    flushInterval: 0,
    onError: () => {},
  });
}
/** Errors that mean something was dropped (an EVENT_FIELD report is a cleaned field of a queued event). */
const total = (errors: Record<string, number>): number =>
  Object.entries(errors).reduce((a, [code, n]) => a + (code === 'EVENT_FIELD' ? 0 : n), 0);

// record()'s catch-all (input that throws while being read: a tags Proxy, a getter, a Date whose getTime
// throws) reports INVALID_VALUE to onError but never increments dropped.invalid: the point is gone and
// `dropped` — "did I lose anything?" — says nothing was lost.
it('a point dropped because its options threw while being read is counted in dropped.invalid', () => {
  const metrics = client();
  const tags = new Proxy([] as string[], {
    get() {
      throw new Error('lazy tags failed');
    },
  });
  const when = new Date();
  Object.defineProperty(when, 'getTime', {
    value: () => {
      throw new Error('bad clock');
    },
  });
  metrics.increment('a', 1, { tags });
  metrics.increment('b', 1, { timestamp: when });
  const s = metrics.stats();
  expect(s.recorded + s.dropped.invalid).toBe(2);
});

// event()'s catch swallows whatever eventBody() throws without reporting or counting it. An alertType
// (or priority) that JSON.stringify cannot serialize — a BigInt — makes the event vanish: not queued, not
// counted in stats(), not reported to onError.
it('an event dropped because its options cannot be serialized is counted', () => {
  const metrics = client();
  const before = metrics.stats();
  metrics.event('deploy', 'v42', { alertType: 10n as never });
  const after = metrics.stats();
  const queued = after.buffered - before.buffered;
  const counted = total(after.errors) - total(before.errors);
  expect(queued + counted).toBe(1);
});
