import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { inflateSync } from 'node:zlib';

/** What the proxy does to one request instead of passing it through. */
export type Fault =
  /** Answer with this status (and headers, e.g. `retry-after`) without forwarding. */
  | { kind: 'status'; status: number; headers?: Record<string, string> }
  /** Forward to the backend (it stores the data), then answer `status` (default 500) anyway. */
  | { kind: 'ambiguous'; status?: number }
  /** Wait, then forward and answer normally (forwarded even if the client gave up meanwhile). */
  | { kind: 'delay'; ms: number }
  /** Reset the connection without answering. */
  | { kind: 'reset' };

/** One request as the proxy saw it. */
export interface ProxiedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  /** Decoded JSON body (inflated when `Content-Encoding: deflate`). */
  body: unknown;
  fault: Fault['kind'] | undefined;
  /** Sequence stamped on the forwarded copy; undefined when not forwarded. */
  seq: number | undefined;
  /** Status answered to the client; undefined for a reset. */
  status: number | undefined;
  /** `performance.now()` when the request arrived. */
  at: number;
}

/**
 * Label the proxy adds (VictoriaMetrics `extra_label`) to every forwarded request: the backend keeps
 * duplicate samples in no defined order, so this records the arrival order last-write-wins needs.
 */
export const SEQ_LABEL = 'e2e_seq';

export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: the same paths as the backend. */
  readonly url: string;
  readonly log: ProxiedRequest[];
  /** The next `n` requests get `fault` (queued after faults already pending). */
  failNext(n: number, fault: Fault): void;
  /** Every request gets `fault` until `recover()`. */
  failUntilRecovered(fault: Fault): void;
  /** Drops pending and sticky faults. */
  recover(): void;
  /** Resolves when no request is in flight (e.g. a delayed one still to be forwarded). */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function decode(body: Buffer, encoding: string | undefined): unknown {
  try {
    return JSON.parse((encoding === 'deflate' ? inflateSync(body) : body).toString('utf8'));
  } catch {
    return body.toString('latin1');
  }
}

function forward(target: URL, req: IncomingMessage, body: Buffer, seq: number) {
  const path = new URL(req.url ?? '/', target);
  path.searchParams.append('extra_label', `${SEQ_LABEL}=${seq}`);
  const headers = { ...req.headers, host: target.host, 'content-length': String(body.length) };
  delete headers.connection;
  return new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    const out = request(
      {
        hostname: target.hostname,
        port: target.port,
        method: req.method,
        path: path.pathname + path.search,
        headers,
      },
      (res) => {
        readBody(res).then(
          (b) => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: b }),
          reject,
        );
      },
    );
    out.on('error', reject);
    out.end(body);
  });
}

/** Starts a tiny HTTP proxy on 127.0.0.1 in front of `target` that injects faults on demand. */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const base = new URL(target);
  const log: ProxiedRequest[] = [];
  const queue: Fault[] = [];
  let sticky: Fault | undefined;
  let seq = 0;
  let inFlight = 0;
  let waiters: (() => void)[] = [];
  const sockets = new Set<Socket>();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const at = performance.now();
    const body = await readBody(req);
    const fault = queue.shift() ?? sticky;
    const entry: ProxiedRequest = {
      path: new URL(req.url ?? '/', base).pathname,
      headers: req.headers,
      body: decode(body, req.headers['content-encoding']),
      fault: fault?.kind,
      seq: undefined,
      status: undefined,
      at,
    };
    log.push(entry);
    if (fault?.kind === 'reset') {
      req.socket.resetAndDestroy();
      return;
    }
    if (fault?.kind === 'status') {
      entry.status = fault.status;
      res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
      res.end(`{"errors":["injected ${fault.status}"]}`);
      return;
    }
    if (fault?.kind === 'delay') await new Promise((r) => setTimeout(r, fault.ms));
    entry.seq = ++seq;
    const answer = await forward(base, req, body, entry.seq);
    entry.status = fault?.kind === 'ambiguous' ? (fault.status ?? 500) : answer.status;
    if (res.destroyed) return;
    if (fault?.kind === 'ambiguous')
      res.writeHead(entry.status, { 'content-type': 'application/json' }).end('{}');
    else
      res
        .writeHead(answer.status, { 'content-type': answer.headers['content-type'] ?? 'text/plain' })
        .end(answer.body);
  };

  const server = createServer((req, res) => {
    inFlight++;
    handle(req, res)
      .catch((error: unknown) => {
        if (!res.headersSent && !res.destroyed) res.writeHead(502).end(String(error));
      })
      .finally(() => {
        inFlight--;
        if (inFlight === 0) for (const w of waiters.splice(0)) w();
      });
  });
  // Keep idle keep-alive sockets open for the whole test: a server-side idle close racing a reuse
  // would add stale-socket retries the test did not ask for.
  server.keepAliveTimeout = 120_000;
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    log,
    failNext(n, fault) {
      for (let i = 0; i < n; i++) queue.push(fault);
    },
    failUntilRecovered(fault) {
      sticky = fault;
    },
    recover() {
      queue.length = 0;
      sticky = undefined;
    },
    settled() {
      if (inFlight === 0) return Promise.resolve();
      return new Promise((resolve) => {
        waiters.push(resolve);
      });
    },
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      waiters = [];
    },
  };
}
