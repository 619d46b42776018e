// How a wrapper hands an invocation's flush to the process-wide Lambda extension (lambda-extension.ts).
// This side is all the main Lambda entry carries: find the extension on globalThis, claim the invocation
// by request id, and start the flush once the runtime has posted the response. Any copy of handlerstats
// (bundled or not) meets any other through the slot below, so its shape is a protocol: version it,
// only ever add to it.

import { defaultEnv, managedInstances, read } from '../client/env.js';
import type { Metrics } from '../client.js';
import { MetricsError } from '../errors.js';
import type { ExtensionDeps } from './lambda-extension.js';
import {
  type DeadlineOptions,
  flushBudget,
  flushWithin,
  type LambdaContextLike,
  reportError,
} from './shared.js';

/** Where the extension publishes itself: the one sanctioned global (DESIGN §15). */
export const EXTENSION_SLOT: unique symbol = Symbol.for('handlerstats.lambdaExtension') as never;

/** Why `registerExtension` did not register (the wrapper then flushes before each response). */
export type NotRegisteredReason =
  /** No `AWS_LAMBDA_RUNTIME_API`: not running in Lambda. */
  | 'not-lambda'
  /** `AWS_LAMBDA_MAX_CONCURRENCY` set: Lambda Managed Instances never freeze; background mode applies. */
  | 'managed-instances'
  /** Called from a worker thread: the extension belongs to the main thread. */
  | 'worker-thread'
  /** Lambda refused it (after init: `Extension.RegistrationClosed`). `message` has Lambda's error. */
  | 'refused'
  /** No usable answer from the Extensions API (network error, timeout). */
  | 'failed';

/** What `registerExtension` resolves to. It never rejects. */
export type ExtensionRegistration =
  | { registered: true; name: string; id: string }
  | { registered: false; reason: NotRegisteredReason; message: string };

/** Options of `registerExtension`. */
export interface ExtensionOptions {
  /** `Lambda-Extension-Name` to register with. Default `handlerstats`. */
  name?: string;
  /**
   * How long an INVOKE no wrapper has claimed is held before the extension lets it go (the runtime
   * calls the wrapper a moment after Lambda sent INVOKE). Default 200 ms, at most 2000.
   */
  graceMs?: number;
}

/** One wrapper's claim on one invocation. */
export interface ExtensionClaim {
  /**
   * Hands the invocation's flush to the extension: it calls `event/next` once `flushed` settled or
   * `holdMs` passed. `false`: the extension no longer holds this invocation; await the flush yourself.
   */
  hold(flushed: Promise<unknown>, holdMs: number): boolean;
}

/** The extension as every copy of handlerstats sees it (protocol version 1). */
export interface ExtensionSlot {
  readonly version: 1;
  readonly registration: Promise<ExtensionRegistration>;
  /** Claims invocation `requestId`; `undefined` when the extension cannot hold it. */
  claim(requestId: string): ExtensionClaim | undefined;
}

/** The extension published on globalThis, if any copy of handlerstats registered one. */
export function extensionSlot(): ExtensionSlot | undefined {
  const slot = (globalThis as Record<symbol, unknown>)[EXTENSION_SLOT] as Partial<ExtensionSlot> | undefined;
  return slot?.version === 1 && typeof slot.claim === 'function' ? (slot as ExtensionSlot) : undefined;
}

/** Claims the invocation of `context` for an after-response flush; `undefined`: flush before returning. */
export function claimInvocation(context: LambdaContextLike | undefined): ExtensionClaim | undefined {
  try {
    // Inside the try: a context is the caller's object, and reading it may throw (a getter, a Proxy).
    const id = context?.awsRequestId;
    if (typeof id !== 'string') return undefined;
    return extensionSlot()?.claim(id);
  } catch {
    return undefined;
  }
}

/**
 * The invocation's flush: with a claim, started once the runtime had its turn to post the response and
 * handed to the extension (resolves at once); without one (or when the extension let go), awaited here.
 */
export function settleInvocation(
  claim: ExtensionClaim | undefined,
  metrics: Metrics,
  context: LambdaContextLike | undefined,
  options: DeadlineOptions,
): Promise<unknown> {
  if (claim === undefined) return flushWithin(metrics, context, options);
  // Two turns of the event loop: aws-lambda-ric 4 posts the response one setImmediate after the
  // handler's promise settled, aws-lambda-ric 3 right away; the flush's serialization comes after.
  const flushed = new Promise<boolean>((resolve) =>
    setImmediate(() => setImmediate(() => resolve(flushWithin(metrics, context, options)))),
  );
  let holdMs: number | undefined;
  try {
    holdMs = flushBudget(context, options);
  } catch {
    // flushWithin reports the throwing context; the extension's own deadline bounds the hold.
  }
  return claim.hold(flushed, holdMs ?? Number.POSITIVE_INFINITY) ? Promise.resolve() : flushed;
}

/** What the lazily loaded extension needs from the client side (see ExtensionDeps). */
export function extensionDeps(metrics: Metrics | undefined): ExtensionDeps {
  return {
    // Not one of the client's variables (client/env.ts): read the same safe way.
    runtimeApi: read(
      (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env,
      'AWS_LAMBDA_RUNTIME_API',
    ),
    managedInstances: managedInstances(defaultEnv()).concurrent,
    report: (message, cause) =>
      reportError(
        metrics,
        new MetricsError('INTEGRATION_ERROR', message, cause === undefined ? undefined : { cause }),
      ),
  };
}

/** The one line a registration that did not happen is reported with. */
export function notRegisteredMessage(registration: ExtensionRegistration & { registered: false }): string {
  return `the Lambda extension is not registered (${registration.reason}: ${registration.message}); withMetrics flushes before each response instead`;
}
