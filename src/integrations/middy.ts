import { BACKGROUND_FLUSH, type Metrics } from '../client.js';
import { MetricsError } from '../errors.js';
import { claimInvocation, type ExtensionClaim, settleInvocation } from './lambda-handoff.js';
import { checkIntegrationOptions, flushWithin, reportError } from './shared.js';

/**
 * The part of a middy request handlerstats reads. Declared here: `@middy/core` is an optional peer
 * and neither it nor `@types/aws-lambda` is needed to import or type-check this module.
 * @example
 * const request: MiddyRequestLike = { context: { getRemainingTimeInMillis: () => 3000 } };
 */
export interface MiddyRequestLike {
  context?: { getRemainingTimeInMillis?: () => number; awsRequestId?: string } | undefined;
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
  /**
   * With `{ streaming: true }`: middy's `requestEnd` plugin hook, to pass to
   * `middy(handler, { streamifyResponse: true, requestEnd })`; it flushes once the stream has ended.
   * Without `streaming` it does nothing (`after`/`onError` flush).
   */
  requestEnd: (request: MiddyRequestLike) => Promise<void>;
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
  /**
   * For `middy(handler, { streamifyResponse: true, requestEnd: mw.requestEnd })`: `after` does not flush
   * (the body has not been streamed yet), `requestEnd` does, after the stream ended. Default false.
   */
  streaming?: boolean;
}

/**
 * A middy middleware that flushes the invocation's metrics in `after` on success and in `onError` on
 * failure, within the invocation's deadline: before the response leaves, or — once `registerExtension`
 * registered the extension — right after it, before the freeze. It never returns a value, sets a
 * response or touches the error, so the handler's result and error pass through unchanged. When another
 * middleware ends the request early (middy ≥ 6 skips the remaining hooks then), the flush still happens:
 * see the README, "middy". Streaming (`streamifyResponse`): `{ streaming: true }` and `requestEnd`.
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
  if (options.streaming !== undefined && typeof options.streaming !== 'boolean')
    throw new TypeError('handlerstats: option "streaming" must be a boolean');
  const streaming = options.streaming === true;
  let cold = true;
  /** Per request: the early-response guard's restore function, and the extension's claim. */
  const requests = new WeakMap<object, { restore?: (() => void) | undefined; claim?: ExtensionClaim }>();
  // Streaming with `requestEnd` not passed to middy: found at the next request (one at a time, except in
  // Managed Instances, whose background mode sends anyway), then `after` flushes, before the body streams.
  const background =
    typeof (metrics as Partial<Record<typeof BACKGROUND_FLUSH, unknown>> | undefined)?.[BACKGROUND_FLUSH] ===
    'function';
  let flushInAfter = !streaming;
  let unended = false;
  const settle = (request: MiddyRequestLike, claim: ExtensionClaim | undefined): Promise<unknown> =>
    settleInvocation(claim, metrics, request.context, options);

  const finish = async (request: MiddyRequestLike): Promise<void> => {
    const state = requests.get(request);
    state?.restore?.();
    requests.delete(request);
    await settle(request, state?.claim);
  };
  return {
    before: function metricsBefore(request) {
      if (options.coldStartMetric !== undefined)
        metrics.increment(options.coldStartMetric, 1, { tags: [`cold_start:${cold}`] });
      cold = false;
      if (unended && !flushInAfter && !background) {
        notWired(metrics);
        flushInAfter = true;
      }
      const claim = claimInvocation(request.context);
      try {
        // Streaming: middy calls `requestEnd` after an early response too; no guard needed.
        const restore = streaming ? undefined : guardEarlyResponse(request, () => settle(request, claim));
        requests.set(request, claim === undefined ? { restore } : { restore, claim });
      } catch {
        // A frozen or exotic request object: only the early-return guard is lost, `after`/`onError` still flush.
      }
    },
    after: function metricsAfter(request) {
      if (flushInAfter) return finish(request);
      unended = true;
      return Promise.resolve();
    },
    onError: function metricsOnError(request) {
      // Streaming too: middy skips `requestEnd` when the error is not handled.
      unended = false;
      return finish(request);
    },
    requestEnd: async function metricsRequestEnd(request) {
      if (!streaming) return;
      unended = false;
      const claim = requests.get(request)?.claim;
      requests.delete(request);
      // The stream has ended: flush now, before middy's promise resolves (the extension lets go after).
      const flushed = flushWithin(metrics, request.context, options);
      claim?.hold(flushed, Number.POSITIVE_INFINITY);
      await flushed;
    },
  };
}

/** `{ streaming: true }` without `requestEnd` passed to middy: nothing would flush on success. */
function notWired(metrics: Metrics): void {
  reportError(
    metrics,
    new MetricsError(
      'INTEGRATION_ERROR',
      'metricsMiddleware({ streaming: true }): middy never called requestEnd; pass it: middy(handler, { streamifyResponse: true, requestEnd: mw.requestEnd }). Flushing in `after` from now on, before the body streams',
    ),
  );
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
