// The drain reuses the last drain's sorted series order when the same series changed again (a handler
// recording the same series every invocation); whatever the reuse, every body lists its series sorted.
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/index.js';
import { createMemoryTransport } from '../../src/testing.js';
import { testClock } from '../helpers/clock.js';

const order = (requests: { path: string; body: unknown }[]) =>
  (requests.at(-1)!.body as { series: { metric: string; tags: string[] }[] }).series.map(
    (s) => `${s.metric}|${s.tags.join(',')}`,
  );

describe('drain order', () => {
  it('is sorted on every flush: the same set again, a larger one, a smaller one, a new name', async () => {
    const transport = createMemoryTransport();
    const metrics = createMetrics({ transport, now: testClock(), flushInterval: 0 });
    const flush = async (calls: string[]) => {
      for (const call of calls) {
        const [name, tag] = call.split('|');
        metrics.increment(name!, 1, { tags: [tag!] });
      }
      await metrics.flush();
      return order(transport.requests);
    };
    // [recorded in this order, sent in this order]
    const steps: [string[], string[]][] = [
      [
        ['b|x:2', 'a|x:1'],
        ['a|x:1', 'b|x:2'],
      ],
      [
        ['a|x:1', 'b|x:2'],
        ['a|x:1', 'b|x:2'],
      ],
      [
        ['b|x:2', 'b|x:1', 'a|x:1'],
        ['a|x:1', 'b|x:1', 'b|x:2'],
      ],
      [
        ['b|x:2', 'a|x:1'],
        ['a|x:1', 'b|x:2'],
      ],
      // Same size as the last drain, a different set: sorted again, not the cached order.
      [
        ['c|x:1', 'a|x:0'],
        ['a|x:0', 'c|x:1'],
      ],
    ];
    for (const [calls, sent] of steps) expect(await flush(calls)).toEqual(sent);
  });
});
