import type { Transport, TransportRequest, TransportResponse } from '../types.js';
import { transportError } from './error.js';
import { readLimit, requestHeaders, toResponse } from './headers.js';
import { checkApiKey, checkIntakeUrl } from './policy.js';

export interface FetchTransportOptions {
  intakeUrl: string;
  apiKey: string;
  /** Allow `http://` to a non-loopback host (the API key would travel in clear text). Default false. */
  allowInsecureHttp?: boolean;
  /** Defaults to the global `fetch`. It is called with a `Request` (`redirect: 'manual'`). */
  fetch?: typeof fetch;
}

/** Codes (Node's fetch) of a keep-alive socket found dead on reuse; other runtimes do not say. */
const STALE_SOCKET = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);
type Attempt = TransportResponse & { stale?: boolean };
const OPAQUE_REDIRECT = 'redirect not followed (the runtime hides its status and location)';

async function deflate(text: string): Promise<ArrayBuffer> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('deflate'));
  return new Response(stream).arrayBuffer();
}

/** Reads at most `limit` bytes of the body, then lets the rest go. */
async function readText(body: ReadableStream<Uint8Array> | null, limit: number): Promise<string> {
  if (body === null) return '';
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let size = 0;
  try {
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) return text + decoder.decode();
      size += value.byteLength;
      text += decoder.decode(value, { stream: true });
    }
    return text;
  } finally {
    reader.cancel().catch(() => {});
  }
}

function staleCode(error: unknown): boolean {
  for (let e = error, depth = 0; typeof e === 'object' && e !== null && depth < 4; depth++) {
    if (STALE_SOCKET.has(String((e as { code?: unknown }).code))) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * The API transport for runtimes with a global `fetch` (Workers, Deno, Bun): no Node built-ins, bodies
 * deflated with `CompressionStream`, redirects never followed (a 3xx is returned as it is; an opaque
 * redirect as a 300). Throws only {@link TransportError}s (or the signal's reason).
 * @example
 * createMetrics({ transport: createFetchTransport({ intakeUrl: 'https://api.datadoghq.com', apiKey: env.DD_API_KEY }) });
 */
export function createFetchTransport(options: FetchTransportOptions): Transport {
  const apiKey = checkApiKey(options.apiKey);
  const base = checkIntakeUrl(options.intakeUrl, { allowInsecureHttp: options.allowInsecureHttp });
  const headers = requestHeaders(apiKey, 'fetch');
  /** Whether a request completed, so that a pooled connection may exist and have died meanwhile. */
  let used = false;

  const attempt = async (body: ArrayBuffer, path: string, signal: AbortSignal): Promise<Attempt> => {
    let request: Request;
    try {
      if (!path.startsWith('/')) throw new TypeError('the request path must start with "/"');
      request = new Request(base + path, { method: 'POST', headers, body, signal, redirect: 'manual' });
    } catch (error) {
      // The Request constructor validates URL, headers and signal: nothing was sent.
      throw transportError(error, apiKey, true);
    }
    let res: Response;
    try {
      res = await (options.fetch ?? fetch)(request);
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      // Node's fetch: a keep-alive socket that died while idle (a Lambda freeze), found before any answer.
      if (used && staleCode(error)) return { status: 0, stale: true };
      throw transportError(error, apiKey);
    }
    // Browsers hide a manual redirect behind status 0; a fetch that followed one anyway is refused too.
    if (res.type === 'opaqueredirect' || res.status === 0 || res.redirected) {
      res.body?.cancel().catch(() => {});
      return { status: res.status >= 300 && res.status < 400 ? res.status : 300, body: OPAQUE_REDIRECT };
    }
    let text: string;
    try {
      text = await readText(res.body, readLimit(apiKey));
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw transportError(error, apiKey);
    }
    used = true;
    return toResponse(res.status, text, (name) => res.headers.get(name), body.byteLength, apiKey);
  };

  return {
    async send(request: TransportRequest, signal: AbortSignal): Promise<TransportResponse> {
      if (signal.aborted) throw signal.reason;
      let body: ArrayBuffer;
      try {
        body = await deflate(request.body);
      } catch (error) {
        throw transportError(error, apiKey, true);
      }
      const first = await attempt(body, request.path, signal);
      if (!first.stale) return first;
      // Sent again at once: the runtime's pool has dropped the dead socket, so this goes out on another
      // one. The first attempt may have been read before the reset: ambiguous.
      used = false;
      const second = await attempt(body, request.path, signal);
      if (second.stale) throw transportError(new Error('connection reset again'), apiKey);
      return { ...second, ambiguous: true };
    },
  };
}
