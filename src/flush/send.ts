import { MetricsError } from '../errors.js';
import type { Transport, TransportRequest, TransportResponse } from '../types.js';

const BACKOFF_BASE_MS = 100;
const BACKOFF_CAP_MS = 2000;

export interface SendCounters {
  requests: number;
  retries: number;
  bytesSent: number;
}

export interface SendContext {
  transport: Transport;
  signal: AbortSignal;
  /** Real-time deadline (`performance.now()` scale). */
  deadline: number;
  counters: SendCounters;
  random: () => number;
}

/**
 * `copies`: attempts that may have reached the backend besides the outcome's own (a network error after the
 * request left, a 5xx, a stale-socket retry); `ambiguous` is `copies > 0`. A distribution value in such a
 * request may be stored `copies` more times than once.
 */
export type SendOutcome = { ambiguous: boolean; copies: number } & (
  | { kind: 'ok'; status: number; body?: string }
  /** Not stored; may be sent again later (network, 408, 429, 5xx, deadline). */
  | { kind: 'retry-later'; error: MetricsError }
  /** The backend refused it for good (400, 403, other 4xx): drop and report. */
  | { kind: 'rejected'; error: MetricsError }
  | { kind: 'too-large'; error: MetricsError }
);

const isRetryableStatus = (s: number): boolean => s === 408 || s === 429 || s >= 500;

/** Sleeps, waking early (resolving false) when the signal aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function statusError(request: TransportRequest, res: TransportResponse): MetricsError {
  const details = { status: res.status, path: request.path, body: res.body?.slice(0, 500) };
  if (res.status === 403 || res.status === 401)
    return new MetricsError('API_KEY_REJECTED', `intake answered ${res.status}: API key rejected`, {
      details,
    });
  if (res.status === 400)
    return new MetricsError('BAD_REQUEST', `intake answered 400 for ${request.path}: ${details.body ?? ''}`, {
      details,
    });
  if (res.status === 413)
    return new MetricsError('PAYLOAD_TOO_LARGE', `intake answered 413 for ${request.path}`, { details });
  if (res.status >= 300 && res.status < 400)
    return new MetricsError(
      'HTTP_REDIRECT',
      `intake answered ${res.status} (a redirect) for ${request.path}: not followed, the batch is dropped; check the intake URL`,
      { details },
    );
  return new MetricsError('HTTP_ERROR', `intake answered ${res.status} for ${request.path}`, { details });
}

function abortError(signal: AbortSignal, cause?: unknown): MetricsError {
  const reason = signal.reason as unknown;
  if (reason instanceof MetricsError) return reason;
  return new MetricsError('ABORTED', 'flush aborted by its signal', { cause: cause ?? reason });
}

/**
 * Sends one request until it is stored, refused, or the deadline leaves no room: exponential backoff
 * with full jitter, `Retry-After` honoured when it fits before the deadline.
 */
export async function sendWithRetry(ctx: SendContext, request: TransportRequest): Promise<SendOutcome> {
  let copies = 0;
  for (let attempt = 0; ; attempt++) {
    if (ctx.signal.aborted)
      return { kind: 'retry-later', error: abortError(ctx.signal), ambiguous: copies > 0, copies };
    let res: TransportResponse;
    ctx.counters.requests++;
    if (attempt > 0) ctx.counters.retries++;
    try {
      res = await ctx.transport.send(request, ctx.signal);
    } catch (cause) {
      if (ctx.signal.aborted)
        return {
          kind: 'retry-later',
          error: abortError(ctx.signal, cause),
          ambiguous: true,
          copies: copies + 1,
        };
      // The request could not even be built (a bad header, say): it never left, and never will.
      if ((cause as { local?: unknown } | null)?.local === true)
        return {
          kind: 'retry-later',
          error: new MetricsError(
            'NETWORK_ERROR',
            `request to ${request.path} could not be sent: ${describe(cause)}`,
            {
              cause,
            },
          ),
          ambiguous: copies > 0,
          copies,
        };
      // The request may have reached the backend before the connection broke.
      copies++;
      const error = new MetricsError(
        'NETWORK_ERROR',
        `request to ${request.path} failed: ${describe(cause)}`,
        {
          cause,
        },
      );
      if (!(await backoff(ctx, attempt, undefined)))
        return { kind: 'retry-later', error, ambiguous: true, copies };
      continue;
    }
    if (res.ambiguous === true) {
      // The transport already sent it a second time on a fresh connection (stale keep-alive socket).
      copies++;
      ctx.counters.requests++;
      ctx.counters.retries++;
    }
    if (res.status >= 200 && res.status < 300) {
      ctx.counters.bytesSent += res.bytes ?? request.body.length;
      const ambiguous = copies > 0;
      return res.body === undefined || res.body === ''
        ? { kind: 'ok', status: res.status, ambiguous, copies }
        : { kind: 'ok', status: res.status, body: res.body, ambiguous, copies };
    }
    const error = statusError(request, res);
    if (res.status === 413) return { kind: 'too-large', error, ambiguous: copies > 0, copies };
    if (!isRetryableStatus(res.status)) return { kind: 'rejected', error, ambiguous: copies > 0, copies };
    if (res.status >= 500) copies++;
    if (!(await backoff(ctx, attempt, res.retryAfterMs)))
      return { kind: 'retry-later', error, ambiguous: copies > 0, copies };
  }
}

async function backoff(
  ctx: SendContext,
  attempt: number,
  retryAfterMs: number | undefined,
): Promise<boolean> {
  const left = ctx.deadline - performance.now();
  let wait: number;
  if (retryAfterMs !== undefined && retryAfterMs > 0) wait = retryAfterMs;
  else wait = ctx.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt);
  // Leave room for the next attempt itself; a wait that does not fit means carrying the data over.
  if (wait + 20 > left) return false;
  return sleep(wait, ctx.signal);
}

export function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${code} ${error.message}` : error.message;
  }
  return String(error);
}
