import type { Metrics } from '../client.js';
import { checkIntegrationOptions, flushWithin, type LambdaContextLike } from './shared.js';

export type { LambdaContextLike } from './shared.js';

/** A Lambda handler: async `(event, context)`, or callback-style `(event, context, callback)`. */
export type LambdaHandler<E, R, C extends LambdaContextLike = LambdaContextLike> =
  | ((event: E, context: C) => R | Promise<R>)
  | ((event: E, context: C, callback: (error?: unknown, result?: R) => void) => unknown);

export interface WithMetricsOptions {
  /** Kept free at the end of the invocation: the flush deadline is `remaining time - margin`. Default 500. */
  deadlineMarginMs?: number;
  /** Upper bound of the flush in ms. Default: the client's `flushTimeoutMs`. */
  flushTimeoutMs?: number;
  /** Records this count once per invocation with `cold_start:true|false`. Off by default. */
  coldStartMetric?: string;
}

/**
 * Wraps a Lambda handler so every invocation's metrics are flushed before it returns, within the
 * invocation's own deadline. The handler's result and errors pass through unchanged; a failed flush is
 * reported through `onError` and its data is carried to the next invocation.
 * @example
 * import { createMetrics } from 'handlerstats';
 * import { withMetrics } from 'handlerstats/lambda';
 * const metrics = createMetrics({ namespace: 'shop', flushInterval: 0 });
 * export const handler = withMetrics(metrics, async (event) => {
 *   metrics.increment('orders');
 *   return { statusCode: 200 };
 * });
 */
export function withMetrics<E, R, C extends LambdaContextLike = LambdaContextLike>(
  metrics: Metrics,
  handler: LambdaHandler<E, R, C>,
  options: WithMetricsOptions = {},
): (event: E, context: C) => Promise<R> {
  if (typeof handler !== 'function')
    throw new TypeError('handlerstats: withMetrics(metrics, handler): handler must be a function');
  checkIntegrationOptions(options);
  let cold = true;
  return async (event: E, context: C): Promise<R> => {
    if (options.coldStartMetric !== undefined)
      metrics.increment(options.coldStartMetric, 1, { tags: [`cold_start:${cold}`] });
    cold = false;
    let result: R;
    try {
      result = await invoke(handler, event, context);
    } catch (error) {
      await flushWithin(metrics, context, options);
      throw error;
    }
    await flushWithin(metrics, context, options);
    return result;
  };
}

function invoke<E, R, C extends LambdaContextLike>(
  handler: LambdaHandler<E, R, C>,
  event: E,
  context: C,
): Promise<R> {
  // Callback-style handlers declare 3 parameters; the wrapper itself declares 2, which is what the
  // Node 24 runtime requires.
  if (handler.length < 3) return Promise.resolve((handler as (e: E, c: C) => R | Promise<R>)(event, context));
  return new Promise<R>((resolve, reject) => {
    const callback = (error?: unknown, value?: R): void => {
      if (error !== undefined && error !== null) reject(error);
      else resolve(value as R);
    };
    try {
      const returned = (handler as (e: E, c: C, cb: typeof callback) => unknown)(event, context, callback);
      if (returned !== undefined && typeof (returned as PromiseLike<R>).then === 'function')
        (returned as PromiseLike<R>).then(resolve, reject);
    } catch (error) {
      reject(error);
    }
  });
}
