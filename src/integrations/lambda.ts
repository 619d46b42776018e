import type { Metrics } from '../client.js';
import { MetricsError } from '../errors.js';
import {
  claimInvocation,
  type ExtensionOptions,
  type ExtensionRegistration,
  extensionDeps,
  extensionSlot,
  notRegisteredMessage,
  settleInvocation,
} from './lambda-handoff.js';
import { checkIntegrationOptions, type LambdaContextLike, reportError } from './shared.js';

export type {
  ExtensionOptions,
  ExtensionRegistration,
  NotRegisteredReason,
} from './lambda-handoff.js';
export {
  type ResponseStreamLike,
  type StreamingHandler,
  withStreamingMetrics,
} from './lambda-streaming.js';
export type { LambdaContextLike } from './shared.js';

/** The callback of a callback-style handler: `callback(error)` or `callback(null, result)`. */
export type LambdaCallback<R> = (error?: unknown, result?: R) => void;

/**
 * A Lambda handler as `withMetrics` takes it: async `(event, context)` (a sync result is accepted too), or
 * callback-style `(event, context, callback)` like `Handler` in `@types/aws-lambda`. One function type, not
 * a union of a 2- and a 3-parameter one, so an unannotated handler's parameters get their types from it.
 */
export type LambdaHandler<E, R, C extends LambdaContextLike = LambdaContextLike> = (
  event: E,
  context: C,
  callback: LambdaCallback<R>,
) => HandlerResult<R>;

/** What a handler returns. `void`, as in `@types/aws-lambda`'s `Handler`: a callback handler returns nothing. */
// biome-ignore lint/suspicious/noConfusingVoidType: `undefined` would refuse handlers declared to return void
export type HandlerResult<R> = void | R | Promise<R>;

export interface WithMetricsOptions {
  /** Kept free at the end of the invocation: the flush deadline is `remaining time - margin`. Default 500. */
  deadlineMarginMs?: number;
  /** Upper bound of the flush in ms. Default: the client's `flushTimeoutMs`. */
  flushTimeoutMs?: number;
  /** Records this count once per invocation with `cold_start:true|false`. Off by default. */
  coldStartMetric?: string;
}

/**
 * Wraps a Lambda handler so every invocation's metrics are flushed within the invocation's own deadline:
 * before it returns (the default), or — once `registerExtension` registered the extension — right after
 * the runtime posted the response, while the extension keeps the sandbox from freezing. The handler's
 * result and errors pass through unchanged; a failed flush is reported through `onError` and its data
 * is carried to the next invocation. `event` and `context` are inferred from an annotated handler (a
 * `Handler` type from `@types/aws-lambda` too) or from the type arguments `<Event, Result, Context>`.
 * @example
 * import { createMetrics } from 'handlerstats';
 * import { withMetrics } from 'handlerstats/lambda';
 * const metrics = createMetrics({ namespace: 'shop', flushInterval: 0 });
 * export const handler = withMetrics(metrics, async (event: { plan: string }) => {
 *   metrics.increment('orders', 1, { tags: { plan: event.plan } });
 *   return { statusCode: 200 };
 * });
 */
export function withMetrics<E = unknown, R = unknown, C extends LambdaContextLike = LambdaContextLike>(
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
    // With the extension registered: flushed after the response, before the freeze.
    const claim = claimInvocation(context);
    let result: R;
    try {
      result = (await untilIdle(invoke(handler, event, context))) as R;
    } catch (error) {
      await settleInvocation(claim, metrics, context, options);
      throw error;
    }
    await settleInvocation(claim, metrics, context, options);
    return result;
  };
}

/**
 * Registers handlerstats' internal Lambda extension, so `withMetrics`, `withStreamingMetrics` and
 * `metricsMiddleware` answer at once and flush after the response (still before Lambda freezes the
 * sandbox). Call it during init, at the top level of an ES module; a CommonJS handler uses
 * `NODE_OPTIONS=--import=handlerstats/lambda/extension` instead. It never rejects: outside Lambda, in
 * Managed Instances, or once init is over (Lambda refuses late registrations) it resolves to
 * `{ registered: false, reason, message }`, reported once through `onError` (not for Managed
 * Instances, whose background mode needs no extension), and the wrappers flush before returning.
 * Process-wide and idempotent: a second call (or another copy of handlerstats) gets the same extension.
 * @example
 * import { createMetrics } from 'handlerstats';
 * import { registerExtension, withMetrics } from 'handlerstats/lambda';
 * const metrics = createMetrics({ namespace: 'shop', flushInterval: 0 });
 * await registerExtension(metrics);
 * export const handler = withMetrics(metrics, async () => ({ statusCode: 200 }));
 */
export function registerExtension(
  metrics: Metrics,
  options: ExtensionOptions = {},
): Promise<ExtensionRegistration> {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('handlerstats: registerExtension options must be an object');
  const { name, graceMs, ...unknown } = options;
  const extra = Object.keys(unknown);
  if (extra.length > 0)
    throw new TypeError(`handlerstats: unknown registerExtension option(s): ${extra.join(', ')}`);
  if (name !== undefined && (typeof name !== 'string' || !/^[\x21-\x7e]{1,128}$/.test(name)))
    throw new TypeError('handlerstats: option "name" must be 1-128 printable ASCII characters');
  if (graceMs !== undefined && (typeof graceMs !== 'number' || !(graceMs >= 0 && graceMs <= 2000)))
    throw new RangeError('handlerstats: option "graceMs" must be a number of milliseconds from 0 to 2000');
  // Loaded lazily: the extension (node:http, the handshake) stays out of the Lambda entry itself.
  const existing = extensionSlot();
  const slot =
    existing !== undefined
      ? Promise.resolve(existing)
      : import('./lambda-extension.js').then(
          (m) => extensionSlot() ?? m.publishExtension(options, extensionDeps(metrics)),
        );
  const report = (registration: ExtensionRegistration): ExtensionRegistration => {
    if (!registration.registered && registration.reason !== 'managed-instances') {
      const details = { reason: registration.reason };
      reportError(
        metrics,
        new MetricsError('INTEGRATION_ERROR', notRegisteredMessage(registration), { details }),
      );
    }
    return registration;
  };
  return slot
    .then((s) => s.registration)
    .then(report, (error: unknown) =>
      report({
        registered: false,
        reason: 'failed',
        message: `could not start the extension: ${String(error)}`,
      }),
    );
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
