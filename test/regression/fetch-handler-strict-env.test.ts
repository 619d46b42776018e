import { expect, it } from 'vitest';
import { createMetrics } from '../../src/index.js';
import { withFetchMetrics } from '../../src/integrations/fetch-handler.js';
import { createMemoryTransport } from '../../src/testing.js';
import { testClock } from '../helpers/clock.js';

/** An `env` as validation libraries make it: reading a key it does not declare throws. */
function strictEnv<T extends object>(declared: T): T {
  return new Proxy(declared, {
    get(target, key) {
      if (!(key in target)) throw new ReferenceError(`env.${String(key)} is not declared`);
      return (target as Record<string | symbol, unknown>)[key];
    },
  });
}

// 0.1: withFetchMetrics read `waitUntil` from every argument outside its try block: with a strict env it
// threw ReferenceError after the handler returned, and nothing was flushed.
it('a strict env (throws on unknown keys) neither breaks the handler nor stops the flush', async () => {
  const transport = createMemoryTransport();
  const metrics = createMetrics({ transport, now: testClock(), flushInterval: 0, onError: () => {} });
  const waits: Promise<unknown>[] = [];
  const ctx = { waitUntil: (p: Promise<unknown>) => void waits.push(p), passThroughOnException() {} };
  const worker = withFetchMetrics(metrics, {
    async fetch(_request: Request, env: { API: string }, _ctx: typeof ctx) {
      metrics.increment('requests', 1, { tags: { api: env.API } });
      return new Response('ok');
    },
  });
  const response = await worker.fetch(new Request('http://x/'), strictEnv({ API: 'v1' }), ctx);
  expect(await response.text()).toBe('ok');
  await Promise.all(waits);
  expect(transport.requests).toHaveLength(1);
});
