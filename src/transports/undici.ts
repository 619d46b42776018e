import { deflateSync } from 'node:zlib';
import { Agent, type Dispatcher, request } from 'undici';
import type { Transport, TransportRequest, TransportResponse } from '../types.js';
import { transportError } from './error.js';
import { firstHeader, readLimit, requestHeaders, toResponse } from './headers.js';
import { type IdleStamp, idleClock } from './idle.js';
import { checkApiKey, checkIntakeUrl } from './policy.js';

export interface UndiciTransportOptions {
  /** Base URL, e.g. `https://api.datadoghq.com` or `http://127.0.0.1:8428/datadog`. */
  intakeUrl: string;
  apiKey: string;
  /** Allow `http://` to a non-loopback host (the API key would travel in clear text). Default false. */
  allowInsecureHttp?: boolean;
  /**
   * Your own undici dispatcher (Pool, Agent, ProxyAgent…). Default: a keep-alive Agent owned by the
   * transport. Redirects are not followed even when it has a redirect interceptor (`maxRedirections: 0`).
   */
  dispatcher?: Dispatcher;
}

/** Errors that mean "the idle keep-alive socket was already dead" (e.g. closed while Lambda was frozen). */
const STALE_SOCKET = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE', 'UND_ERR_CLOSED']);

type Attempt = TransportResponse & { stale?: boolean };

/**
 * An API transport on undici, for users who want its connection pool or a custom dispatcher
 * (proxies, mTLS). `undici` is an optional peer dependency: install it to use this entry.
 * The default Node transport (`node:http`) starts faster and flushes faster; see BENCHMARKS.md.
 * Redirects are never followed; throws only {@link TransportError}s (or the signal's reason).
 * @example
 * import { createMetrics } from 'handlerstats';
 * import { createUndiciTransport } from 'handlerstats/undici';
 * const metrics = createMetrics({ transport: createUndiciTransport({ intakeUrl: 'https://api.datadoghq.com', apiKey }) });
 */
export function createUndiciTransport(options: UndiciTransportOptions): Transport {
  const apiKey = checkApiKey(options.apiKey);
  const base = checkIntakeUrl(options.intakeUrl, { allowInsecureHttp: options.allowInsecureHttp });
  const headers = requestHeaders(apiKey, `node ${process.version}; undici`);
  const own = options.dispatcher === undefined;
  const idle = idleClock(options);
  let dispatcher: Dispatcher | undefined = options.dispatcher;
  /** Whether the dispatcher has completed a request (so an idle socket may exist that died meanwhile). */
  let used = false;
  let inFlight = 0;
  let lastRelease: IdleStamp | undefined;

  const retire = (graceful: boolean): void => {
    const old = dispatcher;
    dispatcher = undefined;
    used = false;
    (graceful ? old?.close() : old?.destroy())?.catch(() => {});
  };

  const attempt = async (body: Buffer, path: string, signal: AbortSignal): Promise<Attempt> => {
    // Nothing in flight and the last answer older than the bound: every pooled socket is that idle, so the
    // pool goes (undici's own idle timers do not run while a Lambda is frozen) and this request opens a
    // fresh connection. The same bound caps undici's timers for processes that are not frozen.
    if (own && inFlight === 0 && lastRelease !== undefined && idle.expired(lastRelease)) retire(false);
    const { maxIdleMs } = idle;
    dispatcher ??= new Agent({ keepAliveTimeout: maxIdleMs, keepAliveMaxTimeout: maxIdleMs });
    inFlight++;
    try {
      let res: Dispatcher.ResponseData<unknown>;
      try {
        res = await request(base + path, {
          method: 'POST',
          headers: { ...headers, 'Content-Length': String(body.length) },
          body,
          signal,
          dispatcher,
          maxRedirections: 0,
        } as Parameters<typeof request>[1]);
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (used && own && !signal.aborted && STALE_SOCKET.has(code as string))
          return { status: 0, stale: true };
        throw fail(error, signal);
      }
      let text: string;
      try {
        text = await readText(res.body, readLimit(apiKey));
      } catch (error) {
        throw fail(error, signal);
      }
      used = true;
      const header = (name: string): string | undefined => firstHeader(res.headers[name]);
      return toResponse(res.statusCode, text, header, body.length, apiKey);
    } finally {
      inFlight--;
      lastRelease = idle.stamp();
    }
  };

  const fail = (error: unknown, signal: AbortSignal): unknown =>
    signal.aborted ? signal.reason : transportError(error, apiKey);

  return {
    async send(req: TransportRequest, signal: AbortSignal): Promise<TransportResponse> {
      if (signal.aborted) throw signal.reason;
      let body: Buffer;
      try {
        if (!req.path.startsWith('/')) throw new TypeError('the request path must start with "/"');
        body = deflateSync(req.body);
      } catch (error) {
        throw transportError(error, apiKey, true);
      }
      const first = await attempt(body, req.path, signal);
      if (!first.stale) return first;
      // A reused keep-alive socket was dead (the state after a Lambda thaw): new requests go to a fresh
      // pool, the old one closes gracefully (requests of sibling flushes in flight on it still finish), and
      // this request is sent again at once. It may have been read before the reset: ambiguous.
      retire(true);
      const second = await attempt(body, req.path, signal);
      if (second.stale) throw transportError(new Error('connection reset on a fresh pool'), apiKey);
      return { ...second, ambiguous: true };
    },
    async close() {
      if (own && dispatcher !== undefined) {
        const d = dispatcher;
        dispatcher = undefined;
        await d.destroy();
      }
    },
  };
}

/** Reads at most `limit` bytes of the body; an answer that goes on is not waited for. */
async function readText(body: Dispatcher.ResponseData['body'], limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
    if (size >= limit) break; // destroys the body, and its connection
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}
