import type { Transport, TransportRequest, TransportResponse } from '../types.js';
import { redact, requestHeaders, toResponse } from './headers.js';
import { checkApiKey, checkIntakeUrl } from './policy.js';

export interface FetchTransportOptions {
  intakeUrl: string;
  apiKey: string;
  /** Allow `http://` to a non-loopback host (the API key would travel in clear text). Default false. */
  allowInsecureHttp?: boolean;
  /** Defaults to the global `fetch`. */
  fetch?: typeof fetch;
}

const MAX_RESPONSE_BODY = 4096;

async function deflate(text: string): Promise<ArrayBuffer> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('deflate'));
  return new Response(stream).arrayBuffer();
}

/**
 * The API transport for runtimes with a global `fetch` (Workers, Deno, Bun): no Node built-ins,
 * bodies deflated with `CompressionStream`.
 * @example
 * createMetrics({ transport: createFetchTransport({ intakeUrl: 'https://api.datadoghq.com', apiKey: env.DD_API_KEY }) });
 */
export function createFetchTransport(options: FetchTransportOptions): Transport {
  const apiKey = checkApiKey(options.apiKey);
  const base = checkIntakeUrl(options.intakeUrl, { allowInsecureHttp: options.allowInsecureHttp });
  const headers = requestHeaders(apiKey, 'fetch');
  return {
    async send(request: TransportRequest, signal: AbortSignal): Promise<TransportResponse> {
      const body = await deflate(request.body);
      const doFetch = options.fetch ?? fetch;
      let res: Response;
      try {
        res = await doFetch(base + request.path, { method: 'POST', headers, body, signal });
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        const message = error instanceof Error ? error.message : String(error);
        throw new Error(redact(message, apiKey), { cause: error });
      }
      const text = (await res.text().catch(() => '')).slice(0, MAX_RESPONSE_BODY);
      return toResponse(res.status, text, (name) => res.headers.get(name), body.byteLength, apiKey);
    },
  };
}
