// Internal helpers of fetch-handler.ts: how to find the client, the execution context and the env
// of a call, and how to flush without ever rejecting into the runtime.

import { defaultEnv } from '../client/env.js';
import type { Metrics } from '../client.js';
import { MetricsError } from '../errors.js';
import { type ExtensionClaim, settleInvocation } from './lambda-handoff.js';
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
   * latency; on Deno and Bun servers (no `waitUntil`) it is started in the background instead, with the
   * client's timer as the safety net. `'await'`: the flush finishes before the handler returns.
   * A Lambda context is always awaited, and so is any call on Node with no execution context.
   */
  flush?: 'waitUntil' | 'await';
  /** Upper bound of the flush in ms. Default: the client's `flushTimeoutMs`. */
  flushTimeoutMs?: number;
  /** With a Lambda context: time kept free before the invocation's deadline. Default 500. */
  deadlineMarginMs?: number;
}

/**
 * Where the flush goes: a Workers execution context, a Lambda context, the background of a long-lived
 * server, or nowhere (then it is awaited).
 */
export type FlushTarget =
  | { wait: ExecutionContextLike }
  | { lambda: LambdaContextLike }
  | { background: true }
  | undefined;

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

/**
 * An argument with `waitUntil`, a Lambda context argument, `this.ctx` (WorkerEntrypoint, Durable Object),
 * the platform's global `EdgeRuntime.waitUntil` (Supabase Edge Functions), then the background of a
 * long-lived server.
 */
export function findTarget(self: unknown, args: readonly unknown[]): FlushTarget {
  const wait = args.find(hasWaitUntil);
  if (wait !== undefined) return { wait };
  const lambda = args.find(isLambdaContext);
  if (lambda !== undefined) return { lambda };
  const ctx = peek(self, 'ctx');
  if (hasWaitUntil(ctx)) return { wait: ctx };
  const edge = peek(globalThis, 'EdgeRuntime');
  if (hasWaitUntil(edge)) return { wait: edge };
  return isLongLivedServer() ? { background: true } : undefined;
}

/**
 * The rule for a call with no execution context and no Lambda context: may its flush run after the
 * response, outside the response path? Yes only on a long-lived server process, that is:
 * - the runtime is Deno or Bun (`globalThis.Deno` / `globalThis.Bun`): `Deno.serve` passes
 *   `(request, info)`, `Bun.serve` `(request, server)`, no `waitUntil`, and the process keeps running
 *   after the response;
 * - and it is not Lambda (`AWS_LAMBDA_FUNCTION_NAME`, e.g. Deno or Bun behind the Lambda Web Adapter):
 *   there the sandbox is frozen right after the response, and so would a flush left running be
 *   (Managed Instances, which do not freeze, are awaited too for now). Deno without env access cannot
 *   tell: it is taken for a server, without a permission prompt.
 * Node is never taken for one: a Node process cannot tell a long-lived server (hono's node-server, a
 * `node:http` server calling a fetch handler) from a function platform that freezes or throttles it
 * after the response (Lambda, Vercel, Cloud Functions, Azure Functions, Netlify). Awaiting is right on
 * all of them, so Node keeps it. A background flush never rejects; a failed one keeps its data for
 * the next flush or the client's timer.
 */
export function isLongLivedServer(): boolean {
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  if (!isObject(g.Deno) && !isObject(g.Bun)) return false;
  const lambda = readEnv('AWS_LAMBDA_FUNCTION_NAME');
  return lambda === undefined || lambda === '';
}

interface DenoEnvLike {
  env?: { get?: (name: string) => string | undefined };
  permissions?: { querySync?: (p: { name: 'env'; variable: string }) => { state?: string } };
}

/** One environment variable; `undefined` when it cannot be read (Deno without `--allow-env`: no prompt). */
function readEnv(name: string): string | undefined {
  try {
    const deno = (globalThis as { Deno?: DenoEnvLike }).Deno;
    if (typeof deno?.env?.get === 'function') {
      const query = deno.permissions?.querySync;
      if (
        typeof query === 'function' &&
        query.call(deno.permissions, { name: 'env', variable: name }).state !== 'granted'
      )
        return undefined;
      return deno.env.get(name);
    }
    return defaultEnv()[name];
  } catch {
    return undefined;
  }
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
export function flushFor(
  metrics: Metrics,
  target: FlushTarget,
  options: FetchMetricsOptions,
  claim?: ExtensionClaim,
): Promise<void> {
  const deadline: DeadlineOptions = options;
  if (target !== undefined && 'lambda' in target)
    return settleInvocation(claim, metrics, target.lambda, deadline).then(noop);
  // flushWithin reports its own errors and never rejects; the catch is for anything it might miss, so
  // that a background flush can never become an unhandled rejection.
  const flushing = flushWithin(metrics, undefined, deadline).then(noop, (error: unknown) =>
    reportError(metrics, error),
  );
  if (target === undefined || options.flush === 'await') return flushing;
  // Started, not awaited: the response leaves now, the flush goes on in the long-lived process.
  if ('background' in target) return Promise.resolve();
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
