// A WorkerEntrypoint (also reachable over RPC from other Workers) using the decorators:
// @flushMetrics flushes after each call through this.ctx.waitUntil; @metrics.timed times a method.
// Bindings are read at module scope through `import { env } from 'cloudflare:workers'`.
import { env, WorkerEntrypoint } from 'cloudflare:workers';
import { createMetrics } from 'handlerstats';
import { flushMetrics } from 'handlerstats/fetch-handler';

/** The variables this Worker reads (add them to your generated `Env`, e.g. by `wrangler types`). */
type MetricsEnv = { DD_API_KEY?: string; DD_SITE?: string; DD_DD_URL?: string };
const vars = env as MetricsEnv;

// Created once per isolate. `flushInterval: 0`: Workers forbid timers at module scope, and the
// decorator flushes after every call anyway.
export const metrics = createMetrics({
  apiKey: vars.DD_API_KEY,
  site: vars.DD_SITE,
  intakeUrl: vars.DD_DD_URL,
  namespace: 'api',
  flushInterval: 0,
});

export class Api extends WorkerEntrypoint {
  @flushMetrics(metrics)
  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    metrics.increment('requests', 1, { tags: { path: url.pathname } });
    if (url.pathname === '/boom') throw new Error('boom');
    const user = await this.lookup(url.searchParams.get('id') ?? 'anonymous');
    return Response.json(user);
  }

  /** An RPC method: other Workers call `env.API.add(a, b)` through a service binding. */
  @flushMetrics(metrics)
  async add(a: number, b: number): Promise<number> {
    metrics.increment('rpc.calls', 1, { tags: { method: 'add' } });
    return a + b;
  }

  @metrics.timed('lookup.duration')
  async lookup(id: string): Promise<{ id: string; plan: string }> {
    metrics.set('users.unique', id);
    return { id, plan: id.startsWith('p') ? 'pro' : 'free' };
  }
}

export default Api;
