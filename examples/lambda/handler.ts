// A complete Lambda handler using withMetrics in after-response mode. Deployed by serverless.yml (esbuild
// bundle) and run by `npm start` against the local intake. Set DD_API_KEY (and DD_SITE or DD_DD_URL) in
// the function's environment; without a key the metrics are written to the log instead.
import { createMetrics } from 'handlerstats';
import { registerExtension, withMetrics } from 'handlerstats/lambda';

interface OrderEvent {
  orderId?: string;
  plan?: 'free' | 'pro';
  items?: number;
  /** Unix seconds: a late point for an earlier bucket, merged with what was already sent. */
  placedAt?: number;
}

export const metrics = createMetrics({
  namespace: 'shop',
  tags: { team: 'checkout' },
  // A Lambda process freezes between invocations: the wrapper flushes at the end of each one instead.
  flushInterval: 0,
});

// During init (an ES module's top-level await): the response goes out at once and the flush follows it,
// before Lambda freezes the sandbox. Outside Lambda (`npm start`) it says why it did not register, and
// the wrapper flushes before returning.
await registerExtension(metrics);

const orders = metrics.counter('orders.placed', { tags: ['source:lambda'] });

export const handler = withMetrics(
  metrics,
  async (event: OrderEvent) => {
    const plan = event.plan ?? 'free';
    orders.add();
    metrics.increment('orders.by_plan', 1, { tags: { plan }, timestamp: event.placedAt });
    metrics.distribution('orders.items', event.items ?? 1, { tags: { plan } });
    if (event.orderId !== undefined) metrics.set('orders.unique', event.orderId);
    const total = await metrics.timed('orders.pricing', async () => {
      await new Promise((resolve) => setTimeout(resolve, 2));
      return (event.items ?? 1) * 9.5;
    });
    metrics.gauge('orders.last_total', total, { tags: { plan } });
    return { statusCode: 200, body: JSON.stringify({ ok: true, total }) };
  },
  { coldStartMetric: 'invocations' },
);
