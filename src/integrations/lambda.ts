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
      result = (await untilIdle(invoke(handler, event, context))) as R;
    } catch (error) {
      await flushWithin(metrics, context, options);
      throw error;
    }
    await flushWithin(metrics, context, options);
    return result;
  };
}

/** The global slot aws-lambda-ric 3 keeps its "the event loop emptied" reaction in. */
const RUNTIME_BEFORE_EXIT = Symbol.for('aws.lambda.beforeExit');

/**
 * `work`, or `undefined` once the event loop empties before it settled (a callback handler that never
 * calls back). That is when aws-lambda-ric 3 ends such an invocation itself, with a `null` response; the
 * wrapper ends it instead, the same way, after its flush. Its listener runs first (prepended) and takes
 * over the runtime's reaction for this invocation, so the runtime answers once, after the flush.
 */
function untilIdle<R>(work: Promise<R>): Promise<R | undefined> {
  const proc = (globalThis as { process?: NodeJS.Process }).process;
  if (typeof proc?.prependOnceListener !== 'function') return work;
  return new Promise<R | undefined>((resolve, reject) => {
    const onIdle = (): void => {
      const slots = globalThis as unknown as Record<symbol, unknown>;
      if (typeof slots[RUNTIME_BEFORE_EXIT] === 'function') slots[RUNTIME_BEFORE_EXIT] = () => {};
      resolve(undefined);
    };
    proc.prependOnceListener('beforeExit', onIdle);
    work.then(
      (value) => {
        proc.removeListener('beforeExit', onIdle);
        resolve(value);
      },
      (error: unknown) => {
        proc.removeListener('beforeExit', onIdle);
        reject(error);
      },
    );
  });
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
