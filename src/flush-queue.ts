import { MetricsError } from './errors.js';
import { type FlushDeps, type FlushHandle, runFlush } from './flush.js';
import type { FlushOptions, FlushReport } from './types.js';

/** How long past its deadline a flush may stay unsettled before it is given up as dead. */
const ABANDON_GRACE_MS = 1000;

interface Queued {
  includeOpen: boolean;
  options: FlushOptions | undefined;
  promise: Promise<FlushReport>;
}

/**
 * One flush at a time. A flush asked for during one waits for it, then sends what is left; callers that
 * arrive while a flush is already queued join it (and a timer flush that a `flush()` joins is upgraded to
 * include the open bucket). Waiting is bounded by the caller's own deadline and signal: a caller never
 * waits longer than it would have flushed, and what it could not send stays buffered.
 */
export function createFlushQueue(
  deps: FlushDeps,
): (includeOpen: boolean, options?: FlushOptions) => Promise<FlushReport> {
  let running: Promise<FlushReport> | undefined;
  let queued: Queued | undefined;
  let handle: FlushHandle = { abandon: () => {} };
  let runningUntil = 0;

  const start = (includeOpen: boolean, options: FlushOptions | undefined): Promise<FlushReport> => {
    handle = { abandon: () => {} };
    const timeoutMs = Math.min(options?.timeoutMs ?? deps.timeoutMs, deps.timeoutMs);
    runningUntil = performance.now() + timeoutMs + ABANDON_GRACE_MS;
    const p = runFlush(deps, includeOpen, options, handle);
    running = p;
    const clear = (): void => {
      if (running === p) running = undefined;
    };
    p.then(clear, clear);
    return p;
  };

  return (includeOpen, options) => {
    if (running !== undefined && performance.now() > runningUntil) {
      // Far past its own deadline and still not settled: it can never settle. Give it up.
      handle.abandon();
      running = undefined;
      queued = undefined;
    }
    if (running === undefined) return start(includeOpen, options);
    if (queued === undefined) {
      const q: Queued = { includeOpen, options, promise: Promise.resolve(undefined as never) };
      const after = (): Promise<FlushReport> => {
        if (queued === q) queued = undefined;
        return start(q.includeOpen, q.options);
      };
      q.promise = running.then(after, after);
      queued = q;
    } else if (includeOpen) queued.includeOpen = true;
    return bounded(
      queued.promise,
      Math.min(options?.timeoutMs ?? deps.timeoutMs, deps.timeoutMs),
      options?.signal,
    );
  };
}

/** Waits for `promise`, but rejects when this caller's own deadline or signal comes first. */
function bounded(
  promise: Promise<FlushReport>,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<FlushReport> {
  return new Promise((resolve, reject) => {
    const stop = (error: MetricsError): void => {
      cleanup();
      reject(error);
    };
    const timer = setTimeout(
      () =>
        stop(
          new MetricsError(
            'DEADLINE_EXCEEDED',
            `flush deadline of ${Math.round(timeoutMs)} ms reached while another flush was in progress; data stays buffered`,
          ),
        ),
      Math.max(0, timeoutMs),
    );
    const onAbort = (): void => stop(new MetricsError('ABORTED', 'flush aborted by its signal'));
    const cleanup = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (r) => {
        cleanup();
        resolve(r);
      },
      (e: unknown) => {
        cleanup();
        reject(e);
      },
    );
  });
}
