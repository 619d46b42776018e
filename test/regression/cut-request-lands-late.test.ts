import { expect, it } from 'vitest';
import { createMetrics, type Transport } from '../../src/index.js';
import { createMemoryTransport, type RecordedRequest } from '../../src/testing.js';
import { T0, testClock } from '../helpers/clock.js';
import { lastWriteWins, seriesOf } from '../helpers/wire.js';

// 0.1: a request cut at its deadline could land after the next flush's newer total, leaving the older
// total stored last (truth 15, stored 10, nothing counted). 0.2: after an ambiguous cut the bucket's merged
// value is sent again on the next flushes while it is open, so the last write carries the total — unless
// the cut request lands after every re-send (the residual race, documented, not claimed away).
it('after a cut, the merged total is re-sent while the bucket is open, so a late landing is overwritten', async () => {
  const clock = testClock();
  const landed: RecordedRequest[] = []; // what the backend received, in arrival order
  const inner = createMemoryTransport();
  let held: (() => void) | undefined;
  let calls = 0;
  const transport: Transport = {
    async send(req, signal) {
      const n = calls++;
      if (n === 0) {
        // The first request is slow: the client gives up on it at its deadline; it lands later.
        await new Promise<void>((r) => {
          held = r;
        });
      }
      const res = await inner.send(req, n === 0 ? new AbortController().signal : signal);
      landed.push(inner.requests.at(-1)!);
      return res;
    },
  };
  const metrics = createMetrics({ transport, now: clock, flushInterval: 0, onError: () => {} });
  metrics.increment('c', 10);
  await metrics.flush({ timeoutMs: 30 }).catch(() => {}); // cut: ambiguous
  expect(metrics.stats().ambiguous).toBe(1);
  metrics.increment('c', 5);
  await metrics.flush(); // sends 15
  held!(); // … and now the cut request with 10 lands: the backend holds 10
  await new Promise((r) => setTimeout(r, 10));
  expect(lastWriteWins(seriesOf(landed)).get('c{}')?.get(T0)).toBe(10);
  clock.advance(1); // still inside the bucket
  await metrics.flush(); // the owed re-send
  expect(lastWriteWins(seriesOf(landed)).get('c{}')?.get(T0)).toBe(15);
  clock.advance(10); // the bucket closed: one last re-send (covers a landing since the previous one) …
  const before = landed.length;
  await metrics.flush();
  expect(landed.length).toBe(before + 1);
  await metrics.flush(); // … then none
  expect(landed.length).toBe(before + 1);
  expect(lastWriteWins(seriesOf(landed)).get('c{}')?.get(T0)).toBe(15);
});
