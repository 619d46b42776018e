// The types of the handlers withFetchMetrics wraps, declared here: importing handlerstats/fetch-handler
// needs neither lib.dom nor @cloudflare/workers-types (DESIGN: platform types are small structural types).
import type { ExecutionContextLike } from './fetch-context.js';

/** The part of a fetch `Request` every runtime has; the request type when the program declares none. */
export interface RequestLike {
  readonly url: string;
  readonly method: string;
  readonly headers: { get(name: string): string | null };
}

/**
 * The program's own global `Request` (from lib.dom, @cloudflare/workers-types, @types/node, Deno or Bun),
 * found through `globalThis` so that no lib is needed to compile; {@link RequestLike} when none declares it.
 * An unannotated `request` in a handler passed to `withFetchMetrics` gets this type.
 */
export type FetchRequest = typeof globalThis extends { Request: { prototype: infer R } } ? R : RequestLike;

/** The execution context a Workers handler receives, as far as handlerstats declares it. */
export interface HandlerContextLike extends ExecutionContextLike {
  passThroughOnException(): void;
}

/** A Workers cron trigger's controller (the part every version of workers-types declares). */
export interface ScheduledControllerLike {
  readonly scheduledTime: number;
  readonly cron: string;
  noRetry(): void;
}

/** A Workers Queues batch; annotate `batch: MessageBatch<Body>` for typed messages. */
export interface MessageBatchLike {
  readonly queue: string;
  readonly messages: readonly { readonly id: string; readonly body: unknown }[];
  ackAll(): void;
  retryAll(): void;
}

/**
 * The handlers of a Workers module that get a flush; every other property is kept as is. An unannotated
 * parameter gets the type declared here; an annotated one keeps its own: `Req` and `Ctx` are inferred
 * from the annotations (`request: Request<…>`, `ctx: ExecutionContext`), `Env` from them or from the
 * factory, and the other parameters are checked both ways (method parameters), so a real
 * `ScheduledController` or `MessageBatch<Body>` fits.
 */
export interface FetchHandlerLike<Env, Req = FetchRequest, Ctx = HandlerContextLike> {
  fetch?(request: Req, env: Env, ctx: Ctx): unknown;
  scheduled?(controller: ScheduledControllerLike, env: Env, ctx: Ctx): unknown;
  queue?(batch: MessageBatchLike, env: Env, ctx: Ctx): unknown;
}

/** The handlers withFetchMetrics wraps. */
export type WrappedHandler = keyof FetchHandlerLike<unknown, unknown, unknown>;

/** What the runtime passes to each wrapped handler. */
type RuntimeArgs<K, Env, Req, Ctx> = K extends 'fetch'
  ? [request: Req, env: Env, ctx: Ctx]
  : K extends 'scheduled'
    ? [controller: ScheduledControllerLike, env: Env, ctx: Ctx]
    : [batch: MessageBatchLike, env: Env, ctx: Ctx];

/**
 * The declared parameters, then the rest of what the runtime passes as optional ones: a handler declaring
 * `fetch(request)` is still called (and callable in tests) with `(request, env, ctx)`.
 */
type Params<
  D extends readonly unknown[],
  F extends readonly [unknown, unknown, unknown],
> = D['length'] extends 0
  ? [input?: F[0], env?: F[1], ctx?: F[2]]
  : D['length'] extends 0 | 1
    ? [...D, env?: F[1], ctx?: F[2]]
    : D['length'] extends 0 | 1 | 2
      ? [...D, ctx?: F[2]]
      : D;

type Flushed<F, Full extends readonly [unknown, unknown, unknown]> = F extends (...args: infer A) => infer R
  ? (...args: Params<A, Full>) => Promise<Awaited<R>>
  : F;

/**
 * `H` with its `fetch`/`scheduled`/`queue` made async (they resolve after the flush was handed over) and
 * callable with everything the runtime passes.
 */
export type WithFlush<H, Env = unknown, Req = FetchRequest, Ctx = HandlerContextLike> = {
  [K in keyof H]: K extends WrappedHandler ? Flushed<H[K], RuntimeArgs<K, Env, Req, Ctx>> : H[K];
};
