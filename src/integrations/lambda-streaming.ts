// Lambda response streaming (`awslambda.streamifyResponse`): the caller gets the bytes as the handler writes
// them, and the runtime awaits the handler's promise before its next `/next`. So the wrapper flushes after
// the stream has ended and before its promise resolves: no latency for the caller, no extension needed.
import type { Metrics } from '../client.js';
import type { WithMetricsOptions } from './lambda.js';
import { claimInvocation, settleInvocation } from './lambda-handoff.js';
import { checkIntegrationOptions, flushBudget, flushWithin, type LambdaContextLike } from './shared.js';

/** The runtime's response stream as far as handlerstats reads it (a Node `Writable` is one). */
export interface ResponseStreamLike {
  write(chunk: string | Uint8Array): unknown;
  end(chunk?: string | Uint8Array): unknown;
  readonly writableEnded?: boolean;
  readonly writableFinished?: boolean;
  once?(event: 'finish' | 'close' | 'error', listener: () => void): unknown;
}

/** A streaming handler: `(event, responseStream, context)`, async. */
export type StreamingHandler<E, S, C, R = unknown> = (event: E, responseStream: S, context: C) => Promise<R>;

/**
 * Wraps a streaming handler so each invocation's metrics are flushed after its response stream ended and
 * before its promise settles. Wrap it *before* `awslambda.streamifyResponse` (which marks the wrapper);
 * a handler marked already keeps its marker. A handler that throws mid-stream still flushes, and its
 * error reaches the runtime unchanged (reported to the caller in the stream's trailers).
 * @example
 * import { createMetrics } from 'handlerstats';
 * import { withStreamingMetrics } from 'handlerstats/lambda';
 * const metrics = createMetrics({ namespace: 'shop', flushInterval: 0 });
 * export const handler = awslambda.streamifyResponse(
 *   withStreamingMetrics(metrics, async (event, responseStream) => {
 *     metrics.increment('streams');
 *     responseStream.write('hello ');
 *     responseStream.end('world');
 *   }),
 * );
 */
export function withStreamingMetrics<
  E = unknown,
  S extends ResponseStreamLike = ResponseStreamLike,
  C extends LambdaContextLike = LambdaContextLike,
  R = unknown,
>(
  metrics: Metrics,
  handler: StreamingHandler<E, S, C, R>,
  options: WithMetricsOptions = {},
): StreamingHandler<E, S, C, R> {
  if (typeof handler !== 'function')
    throw new TypeError('handlerstats: withStreamingMetrics(metrics, handler): handler must be a function');
  checkIntegrationOptions(options);
  let cold = true;
  const wrapped = async (event: E, responseStream: S, context: C): Promise<R> => {
    if (options.coldStartMetric !== undefined)
      metrics.increment(options.coldStartMetric, 1, { tags: [`cold_start:${cold}`] });
    cold = false;
    // Claimed so a registered extension does not hold the invocation for its grace; it lets go once
    // the flush below settled.
    const claim = claimInvocation(context);
    let result: R;
    try {
      result = await handler(event, responseStream, context);
    } catch (error) {
      // The runtime writes the error trailers once this rejects: at once when the extension holds the
      // invocation (the flush follows), after the flush otherwise.
      await settleInvocation(claim, metrics, context, options);
      throw error;
    }
    await ended(responseStream, waitBudget(context, options));
    const flushed = flushWithin(metrics, context, options);
    claim?.hold(flushed, Number.POSITIVE_INFINITY);
    await flushed;
    return result;
  };
  // awslambda.streamifyResponse marks a handler with symbol properties; keep them when wrapping one.
  for (const key of Object.getOwnPropertySymbols(handler))
    if (key.description?.startsWith('aws.lambda.'))
      (wrapped as unknown as Record<symbol, unknown>)[key] = (handler as unknown as Record<symbol, unknown>)[
        key
      ];
  return wrapped;
}

function waitBudget(context: LambdaContextLike | undefined, options: WithMetricsOptions): number {
  try {
    return flushBudget(context, options) ?? 5000;
  } catch {
    return 5000; // flushWithin reports the throwing context
  }
}

/** Resolves once an ended stream has flushed its last bytes (`finish`), or after `budgetMs`. */
function ended(stream: ResponseStreamLike | undefined, budgetMs: number): Promise<void> {
  if (
    stream?.writableEnded !== true ||
    stream.writableFinished !== false ||
    typeof stream.once !== 'function'
  )
    return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, budgetMs));
    stream.once?.('finish', done);
    stream.once?.('close', done);
    stream.once?.('error', done);
  });
}
