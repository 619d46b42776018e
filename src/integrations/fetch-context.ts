// Internal helpers of fetch-handler.ts: how to find the client, the execution context and the env
// of a call, and how to flush without ever rejecting into the runtime.
import type { Metrics } from '../client.js';
import { MetricsError } from '../errors.js';
import { defaultEnv } from '../options.js';
import { type DeadlineOptions, flushWithin, type LambdaContextLike, reportError } from './shared.js';

/** The part of a Workers `ExecutionContext` handlerstats uses (declared here: no workers-types needed). */
export interface ExecutionContextLike {
  waitUntil(promise: Promise<unknown>): void;
}

/** A client, or a function that creates one from the Worker's `env` (called once per isolate). */
export type MetricsSource<Env> = Metrics | ((env: Env) => Metrics);

export interface FetchMetricsOptions {
  /**
   * `'waitUntil'` (default): the flush runs after the response through `ctx.waitUntil`, so it adds no
   * latency. `'await'`: the flush finishes before the handler returns. A Lambda context is always awaited.
   */
  flush?: 'waitUntil' | 'await';
  /** Upper bound of the flush in ms. Default: the client's `flushTimeoutMs`. */
  flushTimeoutMs?: number;
  /** With a Lambda context: time kept free before the invocation's deadline. Default 500. */
  deadlineMarginMs?: number;
}

/** Where the flush goes: a Workers execution context, a Lambda context, or nowhere (then it is awaited). */
export type FlushTarget = { wait: ExecutionContextLike } | { lambda: LambdaContextLike } | undefined;

export function checkOptions(options: FetchMetricsOptions): void {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('handlerstats: options must be an object');
  if (options.flush !== undefined && options.flush !== 'waitUntil' && options.flush !== 'await')
    throw new RangeError('handlerstats: option "flush" must be "waitUntil" or "await"');
  const margin = options.deadlineMarginMs;
  if (margin !== undefined && (typeof margin !== 'number' || !(margin >= 0)))
    throw new RangeError('handlerstats: option "deadlineMarginMs" must be a non-negative number');
  const timeout = options.flushTimeoutMs;
  if (timeout !== undefined && (typeof timeout !== 'number' || !(timeout >= 1)))
    throw new RangeError('handlerstats: option "flushTimeoutMs" must be a number of milliseconds ≥ 1');
}

/**
 * Memoizes a factory `(env) => Metrics`: the first call creates the client, every later call (any
 * request in this isolate) returns the same one. Pass it to `withFetchMetrics`/`flushMetrics` and call
 * it in your handler, so both use one client.
 * @example
 * const metricsFor = metricsPerIsolate((env: Env) => createMetrics({ apiKey: env.DD_API_KEY, flushInterval: 0 }));
 */
export function metricsPerIsolate<Env>(factory: (env: Env) => Metrics): (env: Env) => Metrics {
  if (typeof factory !== 'function')
    throw new TypeError('handlerstats: metricsPerIsolate(factory): factory must be a function');
  let cached: Metrics | undefined;
  return (env) => {
    cached ??= factory(env);
    return cached;
  };
}

/** A client, or a memoized factory that gets the env lazily (only called when no client exists yet). */
export function lazyMetrics<Env>(source: MetricsSource<Env>): (env: () => unknown) => Metrics {
  if (typeof source === 'function') {
    const memo = metricsPerIsolate(source);
    return (env) => memo(env() as Env);
  }
  if (typeof source !== 'object' || source === null || typeof source.flush !== 'function')
    throw new TypeError('handlerstats: expected a Metrics client or a function (env) => Metrics');
  return () => source;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
/**
 * Reads a property of anything a runtime or a user passes. A strict `env` (a Proxy that throws on an
 * unknown key, as validation libraries make) must not break the handler: a throwing read is `undefined`.
 */
function peek(v: unknown, key: string): unknown {
  if (!isObject(v)) return undefined;
  try {
    return v[key];
  } catch {
    return undefined;
  }
}
const hasWaitUntil = (v: unknown): v is ExecutionContextLike => typeof peek(v, 'waitUntil') === 'function';
const isLambdaContext = (v: unknown): v is LambdaContextLike =>
  typeof peek(v, 'getRemainingTimeInMillis') === 'function';

/** An argument with `waitUntil`, a Lambda context argument, then `this.ctx` (WorkerEntrypoint, Durable Object). */
export function findTarget(self: unknown, args: readonly unknown[]): FlushTarget {
  const wait = args.find(hasWaitUntil);
  if (wait !== undefined) return { wait };
  const lambda = args.find(isLambdaContext);
  if (lambda !== undefined) return { lambda };
  const ctx = peek(self, 'ctx');
  return hasWaitUntil(ctx) ? { wait: ctx } : undefined;
}

/** `this.env`, else the argument just before the execution context (`(request, env, ctx)`), else `process.env`. */
export function findEnv(self: unknown, args: readonly unknown[]): unknown {
  const own = peek(self, 'env');
  if (isObject(own)) return own;
  const at = args.findIndex(hasWaitUntil);
  if (at > 0 && isObject(args[at - 1])) return args[at - 1];
  return defaultEnv();
}

/** Flushes for one call. Resolves when the caller may return; never rejects (errors go to `onError`). */
export function flushFor(metrics: Metrics, target: FlushTarget, options: FetchMetricsOptions): Promise<void> {
  const deadline: DeadlineOptions = options;
  if (target !== undefined && 'lambda' in target)
    return flushWithin(metrics, target.lambda, deadline).then(noop);
  const flushing = flushWithin(metrics, undefined, deadline).then(noop);
  if (target === undefined || options.flush === 'await') return flushing;
  try {
    target.wait.waitUntil(flushing);
  } catch (error) {
    // waitUntil throws once the context is gone (e.g. called late); the flush still runs if it can.
    const detail = error instanceof Error ? error.message : String(error);
    reportError(
      metrics,
      new MetricsError('INTEGRATION_ERROR', `ctx.waitUntil refused the flush: ${detail}`, { cause: error }),
    );
  }
  return Promise.resolve();
}

function noop(): void {}
