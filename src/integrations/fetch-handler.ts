// Workers-style integrations: a wrapper for module handler objects and a method decorator for classes.
// No `node:*` import on this path (Workers have no Node built-ins unless nodejs_compat is on).
import type { Metrics } from '../client.js';
import { type AsyncMethodDecorator, methodDecorator } from '../decorate.js';
import {
  checkOptions,
  type FetchMetricsOptions,
  findEnv,
  findTarget,
  flushFor,
  lazyMetrics,
  type MetricsSource,
} from './fetch-context.js';
import type {
  FetchHandlerLike,
  FetchRequest,
  HandlerContextLike,
  WithFlush,
  WrappedHandler,
} from './fetch-types.js';
import { claimInvocation, type ExtensionClaim } from './lambda-handoff.js';
import { reportError } from './shared.js';

export type { AsyncMethodDecorator, MethodMustReturnPromise } from '../decorate.js';
export type { ExecutionContextLike, FetchMetricsOptions, MetricsSource } from './fetch-context.js';
export { metricsPerIsolate } from './fetch-context.js';
export type {
  FetchHandlerLike,
  FetchRequest,
  HandlerContextLike,
  MessageBatchLike,
  RequestLike,
  ScheduledControllerLike,
  WithFlush,
} from './fetch-types.js';

type Method = (this: unknown, ...args: never[]) => unknown;

const WRAPPED = ['fetch', 'scheduled', 'queue'] as const satisfies readonly WrappedHandler[];

type MetricsFor = (env: () => unknown) => Metrics;

/** Flushes for one call; resolves when the caller may return. Never rejects, never changes the outcome. */
function flushAfter(
  self: unknown,
  args: readonly unknown[],
  metricsFor: MetricsFor,
  options: FetchMetricsOptions,
  claim: ExtensionClaim | undefined,
) {
  let metrics: Metrics;
  try {
    metrics = metricsFor(() => findEnv(self, args));
  } catch (error) {
    // A throwing factory (bad options) must not replace the handler's own result or error.
    console.warn(
      `[handlerstats] the metrics factory threw: ${error instanceof Error ? error.message : String(error)}`,
    );
    return Promise.resolve();
  }
  try {
    return flushFor(metrics, findTarget(self, args), options, claim);
  } catch (error) {
    // Nothing after the handler returned may throw into the runtime.
    reportError(metrics, error);
    return Promise.resolve();
  }
}

/**
 * `wrapper` with the `length` of `method`. Runtimes read a handler's arity: Deno.serve calls a handler
 * declaring no parameter without any argument (not even the request), so `(...args) => …` would lose it.
 */
function sameArity<F extends Method>(method: Method, wrapper: F): F {
  return Object.defineProperty(wrapper, 'length', { value: method.length, configurable: true });
}

/** Calls `method`, then flushes once it settled; the result or the error passes through unchanged. */
async function callThenFlush(
  method: Method,
  self: unknown,
  args: never[],
  metricsFor: MetricsFor,
  options: FetchMetricsOptions,
): Promise<unknown> {
  // A Lambda invocation is claimed when the call starts, as withMetrics does: with the extension
  // registered the flush then runs after the response instead of waiting out the extension's grace.
  const claim = claimLambda(self, args);
  let result: unknown;
  try {
    result = await method.apply(self, args);
  } catch (error) {
    await flushAfter(self, args, metricsFor, options, claim);
    throw error;
  }
  await flushAfter(self, args, metricsFor, options, claim);
  return result;
}

function claimLambda(self: unknown, args: readonly unknown[]): ExtensionClaim | undefined {
  try {
    const target = findTarget(self, args);
    return target !== undefined && 'lambda' in target ? claimInvocation(target.lambda) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Wraps a Workers module handler object (`{ fetch, scheduled?, queue? }`): after each call the client
 * is flushed through `ctx.waitUntil` (or awaited, with `flush: 'await'`). On a Deno or Bun server
 * (`Deno.serve`, `Bun.serve`: no `waitUntil`) the flush is started in the background instead, never in
 * the response path; on Lambda, and on Node without an execution context, it is awaited. Responses and
 * errors pass through unchanged; a failed flush goes to `onError` and its data stays buffered for the
 * next request. A factory `(env) => Metrics` is called once per isolate, on the first request.
 * @example
 * import { createMetrics } from 'handlerstats';
 * import { metricsPerIsolate, withFetchMetrics } from 'handlerstats/fetch-handler';
 * const metricsFor = metricsPerIsolate((env: Env) => createMetrics({ apiKey: env.DD_API_KEY, flushInterval: 0 }));
 * export default withFetchMetrics(metricsFor, {
 *   async fetch(request, env: Env) {
 *     metricsFor(env).increment('requests');
 *     return new Response('ok');
 *   },
 * });
 */
export function withFetchMetrics<
  Env = unknown,
  Req = FetchRequest,
  Ctx = HandlerContextLike,
  H extends object = FetchHandlerLike<Env, Req, Ctx>,
>(
  metricsOrFactory: MetricsSource<Env>,
  // The intersection gives the handler's unannotated parameters their types and infers `Env`, `Req` and
  // `Ctx` from the annotated ones; `H` keeps the handler's own type for the result.
  handler: H & FetchHandlerLike<Env, Req, Ctx>,
  options: FetchMetricsOptions = {},
): WithFlush<H, Env, Req, Ctx> {
  if (typeof handler !== 'object' || handler === null)
    throw new TypeError('handlerstats: withFetchMetrics(metrics, handler): handler must be an object');
  checkOptions(options);
  const metricsFor = lazyMetrics(metricsOrFactory);
  // The wrapper inherits everything from the handler (a class instance keeps its prototype methods and
  // accessors), and the handler's own methods still run with the handler itself as `this`.
  const wrapped = Object.create(handler) as Record<string, unknown>;
  for (const key of Object.keys(handler)) wrapped[key] = (handler as Record<string, unknown>)[key];
  for (const key of WRAPPED) {
    const method = handler[key] as Method | undefined;
    if (typeof method !== 'function') continue;
    wrapped[key] = sameArity(method, function (this: unknown, ...args: never[]): unknown {
      const self = this === wrapped || this === undefined || this === null ? handler : this;
      return callThenFlush(method, self, args, metricsFor, options);
    });
  }
  return wrapped as WithFlush<H, Env, Req, Ctx>;
}

/**
 * A method decorator (TC39 standard or `experimentalDecorators`) that flushes after the method: through
 * `ctx.waitUntil` when it finds an execution context (an argument, or `this.ctx` in a WorkerEntrypoint or
 * Durable Object), awaited within the deadline when it finds a Lambda context, in the background on a
 * Deno or Bun server, awaited otherwise.
 * A factory gets `this.env`, else the argument before the execution context, else `process.env`.
 * @example
 * import { WorkerEntrypoint } from 'cloudflare:workers';
 * import { flushMetrics } from 'handlerstats/fetch-handler';
 * export default class extends WorkerEntrypoint<Env> {
 *   @flushMetrics(metricsFor)
 *   async fetch(request: Request) {
 *     metricsFor(this.env).increment('requests');
 *     return new Response('ok');
 *   }
 * }
 */
export function flushMetrics<Env = unknown>(
  metricsOrFactory: MetricsSource<Env>,
  options: FetchMetricsOptions = {},
): AsyncMethodDecorator {
  checkOptions(options);
  const metricsFor = lazyMetrics(metricsOrFactory);
  return methodDecorator<AsyncMethodDecorator>((method) =>
    sameArity(method, function (this: unknown, ...args: never[]): unknown {
      return callThenFlush(method, this, args, metricsFor, options);
    }),
  );
}
