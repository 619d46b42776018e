import type { Metrics } from '../client.js';
import { checkIntegrationOptions, flushWithin } from './shared.js';

/**
 * The part of a middy request handlerstats reads. Declared here: `@middy/core` is an optional peer
 * and neither it nor `@types/aws-lambda` is needed to import or type-check this module.
 * @example
 * const request: MiddyRequestLike = { context: { getRemainingTimeInMillis: () => 3000 } };
 */
export interface MiddyRequestLike {
  context?: { getRemainingTimeInMillis?: () => number } | undefined;
  response?: unknown;
  error?: unknown;
}

/**
 * What `metricsMiddleware` returns: a middy `MiddlewareObj` (assignable to middy's own type).
 * @example
 * const mw: MetricsMiddlewareObj = metricsMiddleware(metrics);
 * middy(handler).use(mw);
 */
export interface MetricsMiddlewareObj {
  before: (request: MiddyRequestLike) => void;
  after: (request: MiddyRequestLike) => Promise<void>;
  onError: (request: MiddyRequestLike) => Promise<void>;
}

/**
 * Options of `metricsMiddleware`, the same as `withMetrics`'s.
 * @example
 * metricsMiddleware(metrics, { deadlineMarginMs: 300, coldStartMetric: 'invocations' });
 */
export interface MetricsMiddlewareOptions {
  /** Kept free at the end of the invocation: the flush deadline is `remaining time - margin`. Default 500. */
  deadlineMarginMs?: number;
  /** Upper bound of the flush in ms. Default: the client's `flushTimeoutMs`. */
  flushTimeoutMs?: number;
  /** Records this count once per invocation with `cold_start:true|false`. Off by default. */
  coldStartMetric?: string;
}

/**
 * A middy middleware that flushes the invocation's metrics before the response leaves: in `after`
 * on success, in `onError` on failure, within the invocation's deadline. It never returns a value,
 * sets a response or touches the error, so the handler's result and error pass through unchanged.
 * When another middleware ends the request early (middy ≥ 6 skips the remaining hooks then), the
 * flush still happens before middy resolves: see the README, "middy".
 * @example
 * import middy from '@middy/core';
 * import { createMetrics } from 'handlerstats';
 * import { metricsMiddleware } from 'handlerstats/middy';
 * const metrics = createMetrics({ namespace: 'shop', flushInterval: 0 });
 * export const handler = middy(async () => {
 *   metrics.increment('orders');
 *   return { statusCode: 200 };
 * }).use(metricsMiddleware(metrics, { coldStartMetric: 'invocations' }));
 */
export function metricsMiddleware(
  metrics: Metrics,
  options: MetricsMiddlewareOptions = {},
): MetricsMiddlewareObj {
  checkIntegrationOptions(options);
  let cold = true;
  const guards = new WeakMap<object, () => void>();
  const flush = (request: MiddyRequestLike): Promise<boolean> =>
    flushWithin(metrics, request.context, options);

  const finish = async (request: MiddyRequestLike): Promise<void> => {
    guards.get(request)?.();
    guards.delete(request);
    await flush(request);
  };
  return {
    before: function metricsBefore(request) {
      if (options.coldStartMetric !== undefined)
        metrics.increment(options.coldStartMetric, 1, { tags: [`cold_start:${cold}`] });
      cold = false;
      try {
        guards.set(
          request,
          guardEarlyResponse(request, () => flush(request)),
        );
      } catch {
        // A frozen or exotic request object: only the early-return guard is lost, `after`/`onError` still flush.
      }
    },
    after: function metricsAfter(request) {
      return finish(request);
    },
    onError: function metricsOnError(request) {
      return finish(request);
    },
  };
}

/**
 * Middy ≥ 6 ends a request early by setting `request.earlyResponse` (a hook returned a value) and then
 * skips every remaining hook, ours included; the only read of `request.response` after that is
 * middy's own `return request.response` (and `typeof` in the onError stack). So `response` becomes an
 * accessor that, once an early response exists, hands middy a promise of the same value that first
 * flushes; middy's `async` runner adopts it. Until then it is a plain value; `after`/`onError` put the
 * property back as it was. Returns that restore function.
 */
function guardEarlyResponse(request: MiddyRequestLike, flush: () => Promise<unknown>): () => void {
  const previous = Object.getOwnPropertyDescriptor(request, 'response');
  // Another guard (a second metrics client) may already be installed: chain to it.
  const chained = previous?.get !== undefined ? previous : undefined;
  let stored = previous?.value;
  const read = (): unknown => (chained === undefined ? stored : chained.get?.call(request));
  const write = (value: unknown): void => {
    if (chained === undefined) stored = value;
    else chained.set?.call(request, value);
  };
  let pending: Promise<unknown> | undefined;
  const restore = (): void => {
    Object.defineProperty(
      request,
      'response',
      chained ?? { value: stored, writable: true, enumerable: true, configurable: true },
    );
  };
  Object.defineProperty(request, 'response', {
    configurable: true,
    enumerable: true,
    get(): unknown {
      if (pending !== undefined) return pending;
      const value = read();
      if (!('earlyResponse' in request)) return value;
      // An onError hook ended early with no value: middy rethrows the error; leave that path as it is.
      if (value === undefined && request.error !== undefined && request.error !== null) return value;
      pending = flush().then(() => {
        const final = read();
        restore();
        return final;
      });
      return pending;
    },
    set(value: unknown) {
      write(value);
    },
  });
  return restore;
}
