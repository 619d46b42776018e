import { deflateSync } from 'node:zlib';
import { Agent, type Dispatcher, request } from 'undici';
import type { Transport, TransportRequest, TransportResponse } from '../types.js';
import { firstHeader, redact, requestHeaders, toResponse } from './headers.js';
import { checkApiKey, checkIntakeUrl } from './policy.js';

export interface UndiciTransportOptions {
  /** Base URL, e.g. `https://api.datadoghq.com` or `http://127.0.0.1:8428/datadog`. */
  intakeUrl: string;
  apiKey: string;
  /** Allow `http://` to a non-loopback host (the API key would travel in clear text). Default false. */
  allowInsecureHttp?: boolean;
  /** Your own undici dispatcher (Pool, Agent, ProxyAgent…). Default: a keep-alive Agent owned by the transport. */
  dispatcher?: Dispatcher;
}

const MAX_RESPONSE_BODY = 4096;
/** Errors that mean "the idle keep-alive socket was already dead" (e.g. closed while Lambda was frozen). */
const STALE_SOCKET = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE', 'UND_ERR_CLOSED']);

/**
 * An API transport on undici, for users who want its connection pool or a custom dispatcher
 * (proxies, mTLS). `undici` is an optional peer dependency: install it to use this entry.
 * The default Node transport (`node:http`) starts faster and flushes faster; see BENCHMARKS.md.
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
  let dispatcher: Dispatcher | undefined = options.dispatcher;
  /** Whether the dispatcher has completed a request (so an idle socket may exist that died meanwhile). */
  let used = false;

  const attempt = async (body: Buffer, path: string, signal: AbortSignal): Promise<TransportResponse> => {
    dispatcher ??= new Agent({ keepAliveTimeout: 30_000 });
    const res = await request(base + path, {
      method: 'POST',
      headers: { ...headers, 'Content-Length': String(body.length) },
      body,
      signal,
      dispatcher,
    });
    used = true;
    const text = await readText(res.body);
    return toResponse(res.statusCode, text, (name) => firstHeader(res.headers[name]), body.length, apiKey);
  };

  return {
    async send(req: TransportRequest, signal: AbortSignal): Promise<TransportResponse> {
      if (signal.aborted) throw signal.reason;
      const body = deflateSync(req.body);
      try {
        return await attempt(body, req.path, signal);
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        const code = (error as { code?: string }).code ?? '';
        if (!(used && own && STALE_SOCKET.has(code))) throw wrap(error, apiKey);
      }
      // A reused keep-alive socket was dead (the state after a Lambda thaw): new requests go to a fresh
      // pool, the old one closes gracefully (requests of sibling flushes in flight on it still finish), and
      // this request is sent again at once. It may have been read before the reset: ambiguous.
      const stale = dispatcher;
      dispatcher = undefined;
      used = false;
      stale?.close().catch(() => {});
      try {
        return { ...(await attempt(body, req.path, signal)), ambiguous: true };
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        throw wrap(error, apiKey);
      }
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

async function readText(body: Dispatcher.ResponseData['body']): Promise<string> {
  let text = '';
  for await (const chunk of body) {
    if (text.length < MAX_RESPONSE_BODY) text += (chunk as Buffer).toString('utf8');
  }
  return text.slice(0, MAX_RESPONSE_BODY);
}

function wrap(error: unknown, apiKey: string): Error {
  const message = error instanceof Error ? error.message : String(error);
  const wrapped = new Error(redact(message, apiKey), { cause: error });
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') (wrapped as Error & { code?: string }).code = code;
  return wrapped;
}
