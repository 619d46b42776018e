import { expect, it } from 'vitest';
import { createMetrics } from '../../src/index.js';
import { withFetchMetrics } from '../../src/integrations/fetch-handler.js';
import { createMemoryTransport } from '../../src/testing.js';

// withFetchMetrics copies the handler with `{ ...handler }` and calls the original method with
// `this` = that copy (the runtime calls `exported.fetch(...)` as a method). A handler that is a class
// instance (methods and state on the prototype / accessors) loses them: `this.route` is undefined
// and the user's working Worker throws once wrapped.
class App {
  private hits = 0;
  route(path: string): string {
    this.hits++;
    return `route ${path} #${this.hits}`;
  }
  async fetch(request: Request, _env: unknown, _ctx: unknown): Promise<Response> {
    return new Response(this.route(new URL(request.url).pathname));
  }
}

it('a class-instance handler keeps its prototype methods as `this`', async () => {
  const metrics = createMetrics({ transport: createMemoryTransport(), flushInterval: 0, onError: () => {} });
  const app = new App();
  const exported = withFetchMetrics(metrics, app);
  const ctx = { waitUntil: (_p: Promise<unknown>) => {} };
  const res = await exported.fetch(new Request('https://x.test/a'), {}, ctx); // as workerd calls it
  expect(await res.text()).toBe('route /a #1');
});
