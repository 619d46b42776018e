import type * as Http from 'node:http';
import type * as Zlib from 'node:zlib';
import type { Transport, TransportRequest, TransportResponse } from '../types.js';
import { firstHeader, redact, requestHeaders, toResponse } from './headers.js';
import { checkApiKey, checkIntakeUrl } from './policy.js';

export interface HttpTransportOptions {
  /** Base URL, e.g. `https://api.datadoghq.com` or `http://127.0.0.1:8428/datadog`. */
  intakeUrl: string;
  apiKey: string;
  /** Allow `http://` to a non-loopback host (the API key would travel in clear text). Default false. */
  allowInsecureHttp?: boolean;
}

const MAX_RESPONSE_BODY = 4096;
// Built-ins are loaded on first send, not at import: `node:https` pulls in TLS (milliseconds of cold start).
const builtin = <T>(name: string): T =>
  (process as unknown as { getBuiltinModule(id: string): T }).getBuiltinModule(name);

/** Errors that mean "the idle keep-alive socket was already dead" (e.g. closed while Lambda was frozen). */
const STALE_SOCKET = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_DESTROYED']);

/**
 * The Node API transport: `node:http(s)` with a keep-alive agent, deflate-compressed bodies.
 * A reset on a reused keep-alive socket is retried at once on a fresh connection.
 * @example
 * createMetrics({ transport: createHttpTransport({ intakeUrl: 'https://api.datadoghq.eu', apiKey }) });
 */
export function createHttpTransport(options: HttpTransportOptions): Transport {
  const apiKey = checkApiKey(options.apiKey);
  const base = new URL(checkIntakeUrl(options.intakeUrl, { allowInsecureHttp: options.allowInsecureHttp }));
  const secure = base.protocol === 'https:';
  const prefix = base.pathname.replace(/\/+$/, '');
  const hostname = base.hostname.replace(/^\[|\]$/g, '');
  const headers = requestHeaders(apiKey, `node ${process.version}`);
  let mod: typeof Http | undefined;
  let agent: Http.Agent | undefined;
  let zlib: typeof Zlib | undefined;

  const getAgent = (): Http.Agent => {
    mod ??= builtin<typeof Http>(secure ? 'node:https' : 'node:http');
    agent ??= new mod.Agent({ keepAlive: true, maxSockets: 8, scheduling: 'lifo' });
    return agent;
  };

  const attempt = (
    body: Buffer,
    path: string,
    signal: AbortSignal,
    fresh: boolean,
  ): Promise<TransportResponse & { stale?: boolean }> =>
    new Promise((resolve, reject) => {
      // `agent: false`: a one-off connection that cannot be one of the pool's dead sockets.
      const a = fresh ? false : getAgent();
      const req = mod!.request({
        protocol: base.protocol,
        hostname,
        port: base.port,
        path: prefix + path,
        method: 'POST',
        agent: a,
        headers: { ...headers, 'Content-Length': String(body.length) },
      });
      const onAbort = (): void => {
        req.destroy(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const done = (): void => signal.removeEventListener('abort', onAbort);
      req.on('error', (error: Error & { code?: string }) => {
        done();
        if (req.reusedSocket && !signal.aborted && STALE_SOCKET.has(error.code ?? '')) {
          resolve({ status: 0, stale: true });
          return;
        }
        reject(new Error(redact(error.message, apiKey), { cause: error }));
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (size < MAX_RESPONSE_BODY) chunks.push(chunk);
          size += chunk.length;
        });
        res.on('error', (error) => {
          done();
          reject(error);
        });
        res.on('end', () => {
          done();
          const text = Buffer.concat(chunks).toString('utf8').slice(0, MAX_RESPONSE_BODY);
          resolve(
            toResponse(
              res.statusCode ?? 0,
              text,
              (name) => firstHeader(res.headers[name]),
              body.length,
              apiKey,
            ),
          );
        });
      });
      req.end(body);
    });

  return {
    async send(request: TransportRequest, signal: AbortSignal): Promise<TransportResponse> {
      if (signal.aborted) throw signal.reason;
      zlib ??= builtin<typeof Zlib>('node:zlib');
      const body = zlib.deflateSync(request.body);
      const first = await attempt(body, request.path, signal, false);
      if (!first.stale) return first;
      // The idle sockets of the pool are suspect after a freeze: close them (not the ones in use by
      // sibling requests), and retry this request at once on a fresh connection. The first attempt may
      // have been read before the reset, so the result is ambiguous.
      for (const sockets of Object.values(agent?.freeSockets ?? {}))
        for (const socket of sockets ?? []) socket.destroy();
      const second = await attempt(body, request.path, signal, true);
      if (second.stale) throw new Error('connection reset on a fresh socket');
      return { ...second, ambiguous: true };
    },
    close() {
      agent?.destroy();
      agent = undefined;
    },
  };
}
