import { expect, it } from 'vitest';
import { withFetchMetrics } from '../../src/integrations/fetch-handler.js';

// A factory that forgets its `return` (`(env) => { createMetrics(…) }`) yields undefined. flushWithin()
// then fails on `metrics.flush`, and its catch calls reportError(undefined, …), which reads a property of
// undefined and throws: the wrapper rejects with a TypeError instead of returning the handler's response
// (flush: 'await'), or hands ctx.waitUntil a rejected promise (an unhandled rejection in the runtime).
// A throwing factory is already caught and warned about; a factory returning a non-client should be too.
const factory = (() => undefined) as never;

it("a factory that returns nothing does not replace the handler's response (flush: 'await')", async () => {
  const worker = withFetchMetrics(
    factory,
    { fetch: async (_request: unknown, _env: unknown, _ctx: unknown) => 'response' },
    { flush: 'await' },
  );
  await expect(worker.fetch({} as never, {} as never, {} as never)).resolves.toBe('response');
});

it('a factory that returns nothing hands ctx.waitUntil a promise that does not reject', async () => {
  const waits: Promise<unknown>[] = [];
  const ctx = { waitUntil: (p: Promise<unknown>) => void waits.push(p) };
  const worker = withFetchMetrics(factory, {
    fetch: async (_request: unknown, _env: unknown, _ctx: unknown) => 'response',
  });
  await expect(worker.fetch({} as never, {} as never, ctx as never)).resolves.toBe('response');
  expect(waits).toHaveLength(1);
  await expect(waits[0]).resolves.toBeUndefined();
});
