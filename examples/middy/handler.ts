// A complete middy handler using metricsMiddleware. Deployed by serverless.yml (function
// `orders-middy`, esbuild bundle) and run by the Lambda runtime tests. Set DD_API_KEY (and DD_SITE or
// DD_DD_URL) in the function's environment; without a key the metrics are written to the log instead.
// After-response mode without touching the code: serverless.yml sets
// `NODE_OPTIONS=--import=./handlerstats-extension.mjs` (the file scripts/bundle-examples.mjs writes next
// to the bundle), which registers the extension before the runtime loads this module.
import middy from '@middy/core';
import { createMetrics } from 'handlerstats';
import { metricsMiddleware } from 'handlerstats/middy';

export interface CartEvent {
  cartId?: string;
  items?: number;
  /** Simulates a failure in the handler: the error reaches Lambda unchanged, the metrics still go out. */
  fail?: boolean;
  /** Answered by the cache middleware in `before`: middy skips the handler and every `after` hook. */
  cached?: boolean;
  /** Unix seconds: a late point for an earlier bucket, merged with what was already sent. */
  placedAt?: number;
}

export interface CartResponse {
  statusCode: number;
  body: string;
}

export const metrics = createMetrics({
  namespace: 'shop',
  tags: { team: 'checkout' },
  // A Lambda process freezes between invocations: the middleware flushes at the end of each one instead.
  flushInterval: 0,
});

async function checkout(event: CartEvent): Promise<CartResponse> {
  const items = event.items ?? 1;
  metrics.increment('carts.checked_out', 1, { timestamp: event.placedAt });
  metrics.distribution('carts.items', items);
  if (event.cartId !== undefined) metrics.set('carts.unique', event.cartId);
  if (event.fail === true) {
    metrics.increment('carts.failed');
    throw new Error('payment declined');
  }
  return { statusCode: 200, body: JSON.stringify({ ok: true, items }) };
}

/** A response cache: answers in `before`, which ends the request early (no handler, no `after`). */
function quoteCache() {
  return {
    before: (request: { event: CartEvent }): CartResponse | undefined => {
      if (request.event.cached !== true) return undefined;
      metrics.increment('carts.cache_hit');
      return { statusCode: 200, body: '{"cached":true}' };
    },
  };
}

// metricsMiddleware first: its `before` runs before anything can end the request early, and its
// flush still happens when a later middleware (the cache here) does.
export const handler = middy<CartEvent, CartResponse>(checkout)
  .use(metricsMiddleware(metrics, { coldStartMetric: 'invocations' }))
  .use(quoteCache());
