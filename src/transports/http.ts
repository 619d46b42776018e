import type * as Http from 'node:http';
import type { Socket } from 'node:net';
import type * as Zlib from 'node:zlib';
import type { Transport, TransportRequest, TransportResponse } from '../types.js';
import { transportError } from './error.js';
import { firstHeader, readLimit, requestHeaders, toResponse } from './headers.js';
import { type IdleStamp, idleClock } from './idle.js';
import { checkApiKey, checkIntakeUrl } from './policy.js';

export interface HttpTransportOptions {
  /** Base URL, e.g. `https://api.datadoghq.com` or `http://127.0.0.1:8428/datadog`. */
  intakeUrl: string;
  apiKey: string;
  /** Allow `http://` to a non-loopback host (the API key would travel in clear text). Default false. */
  allowInsecureHttp?: boolean;
}

// Built-ins are loaded on first send, not at import: `node:https` pulls in TLS (milliseconds of cold start).
const builtin = <T>(name: string): T =>
  (process as unknown as { getBuiltinModule(id: string): T }).getBuiltinModule(name);

/** Errors that mean "the idle keep-alive socket was already dead" (e.g. closed while Lambda was frozen). */
const STALE_SOCKET = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_DESTROYED']);

type Attempt = TransportResponse & { stale?: boolean };

/**
 * The Node API transport: `node:http(s)` with a keep-alive agent, deflate-compressed bodies. Redirects are
 * never followed (a 3xx is returned as it is). A pooled socket idle for longer than 15 s is not reused, and
 * a reset on a reused socket is retried at once on a fresh connection. Throws only {@link TransportError}s.
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
  const idle = idleClock(options);
  const released = new WeakMap<Socket, IdleStamp>();
  let mod: typeof Http | undefined;
  let agent: Http.Agent | undefined;
  let zlib: typeof Zlib | undefined;

  const getAgent = (): Http.Agent => {
    if (agent === undefined) {
      agent = new mod!.Agent({ keepAlive: true, maxSockets: 8, scheduling: 'lifo' });
      agent.on('free', (socket: Socket) => released.set(socket, idle.stamp()));
    }
    // Free lists are in release order and the agent skips destroyed sockets at their front: destroying the
    // expired ones (the oldest) here makes the request take a younger socket or open a fresh connection.
    for (const sockets of Object.values(agent.freeSockets))
      for (const socket of sockets ?? []) if (idle.expired(released.get(socket))) socket.destroy();
    return agent;
  };

  const attempt = (body: Buffer, path: string, signal: AbortSignal, fresh: boolean): Promise<Attempt> =>
    new Promise((resolve, reject) => {
      let settled = false;
      const settle = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        signal.removeEventListener?.('abort', onAbort);
        fn();
      };
      const fail = (error: unknown): void =>
        settle(() => reject(signal.aborted ? signal.reason : transportError(error, apiKey)));
      let req: Http.ClientRequest | undefined;
      const onAbort = (): void => {
        req?.destroy();
        fail(undefined);
      };
      try {
        signal.addEventListener('abort', onAbort, { once: true });
        // `agent: false`: a one-off connection that cannot be one of the pool's dead sockets.
        req = mod!.request({
          protocol: base.protocol,
          hostname,
          port: base.port,
          path: prefix + path,
          method: 'POST',
          agent: fresh ? false : getAgent(),
          headers: { ...headers, 'Content-Length': String(body.length) },
        });
      } catch (error) {
        // Thrown while building the request (ERR_INVALID_CHAR, ERR_UNESCAPED_CHARACTERS…): nothing was sent.
        settle(() => reject(transportError(error, apiKey, true)));
        return;
      }
      req.on('error', (error: Error & { code?: string }) => {
        if (req.reusedSocket && !signal.aborted && STALE_SOCKET.has(error.code ?? ''))
          settle(() => resolve({ status: 0, stale: true }));
        else fail(error);
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const finish = (): void => {
          const text = Buffer.concat(chunks).subarray(0, readLimit(apiKey)).toString('utf8');
          const header = (name: string): string | undefined => firstHeader(res.headers[name]);
          settle(() => resolve(toResponse(res.statusCode ?? 0, text, header, body.length, apiKey)));
        };
        res.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.length;
          // Enough for a report: an intake's answers are small, one that goes on is not waited for.
          if (size >= readLimit(apiKey)) {
            finish();
            res.destroy();
          }
        });
        res.on('error', fail);
        res.on('close', () => {
          if (!res.complete) fail(new Error('response cut before its end'));
        });
        res.on('end', finish);
      });
      req.end(body);
    });

  return {
    async send(request: TransportRequest, signal: AbortSignal): Promise<TransportResponse> {
      if (signal.aborted) throw signal.reason;
      let body: Buffer;
      try {
        if (!request.path.startsWith('/')) throw new TypeError('the request path must start with "/"');
        mod ??= builtin<typeof Http>(secure ? 'node:https' : 'node:http');
        zlib ??= builtin<typeof Zlib>('node:zlib');
        body = zlib.deflateSync(request.body);
      } catch (error) {
        throw transportError(error, apiKey, true);
      }
      const first = await attempt(body, request.path, signal, false);
      if (!first.stale) return first;
      // The idle sockets of the pool are suspect after a freeze: close them (not the ones in use by
      // sibling requests), and retry this request at once on a fresh connection. The first attempt may
      // have been read before the reset, so the result is ambiguous.
      for (const sockets of Object.values(agent?.freeSockets ?? {}))
        for (const socket of sockets ?? []) socket.destroy();
      return { ...(await attempt(body, request.path, signal, true)), ambiguous: true };
    },
    close() {
      agent?.destroy();
      agent = undefined;
    },
  };
}
