// A complete module Worker using withFetchMetrics. Configure it with Worker variables/secrets:
// DD_API_KEY (secret), and DD_SITE or DD_DD_URL; DD_ENV / DD_SERVICE / DD_VERSION / DD_TAGS become tags.
// Without a key, the metrics are written to the log instead (a deploy never fails because of metrics).
import { createMetrics } from 'handlerstats';
import { metricsPerIsolate, withFetchMetrics } from 'handlerstats/fetch-handler';

/** The Worker's variables: only strings, so `env` can be handed to `createMetrics` as is. */
export type Env = {
  DD_API_KEY?: string;
  DD_SITE?: string;
  DD_DD_URL?: string;
  DD_ENV?: string;
  DD_SERVICE?: string;
};

// Workers have no process.env: the client is created from `env` on the first request, then reused by
// every request this isolate serves. `flushInterval: 0` because the wrapper flushes after each request.
export const metricsFor = metricsPerIsolate((env: Env) =>
  createMetrics({ env, namespace: 'shop', tags: { runtime: 'workerd' }, flushInterval: 0 }),
);

interface Order {
  plan?: 'free' | 'pro';
  items?: number;
}

async function placeOrder(request: Request, env: Env): Promise<Response> {
  const metrics = metricsFor(env);
  const order = (await request.json().catch(() => ({}))) as Order;
  const plan = order.plan ?? 'free';
  metrics.increment('orders.placed', 1, { tags: { plan } });
  metrics.distribution('orders.items', order.items ?? 1, { tags: { plan } });
  const total = await metrics.timed('orders.pricing', async () => (order.items ?? 1) * 9.5);
  return Response.json({ ok: true, total });
}

export default withFetchMetrics(metricsFor, {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    metricsFor(env).increment('requests', 1, { tags: { path: url.pathname } });
    if (url.pathname === '/orders' && request.method === 'POST') return placeOrder(request, env);
    // Errors pass through the wrapper unchanged; the metrics are flushed anyway.
    if (url.pathname === '/boom') throw new Error('boom');
    return new Response('not found', { status: 404 });
  },

  async scheduled(controller: ScheduledController, env: Env): Promise<void> {
    metricsFor(env).increment('cron.runs', 1, { tags: { cron: controller.cron } });
  },
} satisfies ExportedHandler<Env>);
