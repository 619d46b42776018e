import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * What the front does to one HTTP request instead of passing it through. Each is a raw-TCP misbehaviour
 * an HTTP server library would not let a test produce.
 */
export type TcpFault =
  /** Reads the request, never answers; the connection stays open. */
  | { kind: 'hang' }
  /** RST once the request has been written, before any answer; nothing is forwarded. */
  | { kind: 'reset' }
  /** Forwards the request (the intake stores it), then drops the intake's answer and sends an RST. */
  | { kind: 'reset-after-store' }
  /** Forwards the request, then sends the intake's answer `bytes` bytes every `everyMs` ms. */
  | { kind: 'trickle'; bytes: number; everyMs: number }
  /** Answers `status` (with `headers`, e.g. a `Location`) without forwarding; the connection stays usable. */
  | { kind: 'answer'; status: number; headers?: Record<string, string> }
  /** Forwards the request (the intake stores it), then answers `status` instead of the intake's answer. */
  | { kind: 'status-after-store'; status: number }
  /**
   * Reads the request and holds it, unanswered and not forwarded, until `releaseHeld()` forwards it — even
   * if the client gave up meanwhile: a request cut at its deadline that is still on its way and lands late.
   */
  | { kind: 'hold' };

/** One request as the front saw it (arrival order). */
export interface FrontRequest {
  /** Connection number (0, 1, …) and the request's index on that connection (0 = first). */
  conn: number;
  index: number;
  path: string;
  fault: TcpFault['kind'] | undefined;
  /** Status line of the intake's answer, when it was forwarded and answered. */
  status: number | undefined;
  /** Status the client got (the intake's, or the front's own); undefined for a reset, hang or hold. */
  answered: number | undefined;
  /** `performance.now()` at the first byte of the request. */
  at: number;
  /** Request headers (names lower-cased), once the head is complete. */
  headers: Record<string, string>;
  /** The request body as sent (deflated JSON), once complete. */
  body: Buffer | undefined;
}

export interface TcpFront {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly log: FrontRequest[];
  /** The next `n` requests get `fault` (queued after those pending). */
  failNext(n: number, fault: TcpFault): void;
  /** Every request gets `fault` until `recover()`. */
  failAll(fault: TcpFault): void;
  /**
   * A request that no queued or sticky fault took gets `select(request)` once its head is read: a fault, or
   * undefined to pass. `n` counts such requests (0, 1, …) over every connection. It may act on the side
   * (inject an intake fault, say). Dropped by `recover()`.
   */
  plan(select: ((request: { n: number; path: string }) => TcpFault | undefined) | undefined): void;
  /** Forwards every held request (`hold`) on a fresh connection each; resolves with the intake's statuses. */
  releaseHeld(): Promise<number[]>;
  /** Drops queued and sticky faults; the listener is re-opened if it was closed. */
  recover(): Promise<void>;
  /** Stops listening and drops every connection: new connections are refused (ECONNREFUSED). */
  refuse(): Promise<void>;
  /** Sends an RST on every keep-alive connection that is between requests. Returns how many. */
  resetIdle(): number;
  close(): Promise<void>;
}

const HEAD_END = Buffer.from('\r\n\r\n');

function contentLength(head: string): number {
  const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  return m === null ? 0 : Number(m[1]);
}

/** Splits a buffer that starts with an HTTP message into its head (text) and the rest, once complete. */
function splitHead(buf: Buffer): { head: string; rest: Buffer } | undefined {
  const end = buf.indexOf(HEAD_END);
  if (end < 0) return undefined;
  return { head: buf.subarray(0, end + 4).toString('latin1'), rest: buf.subarray(end + 4) };
}

function headersOf(head: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of head.split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) out[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return out;
}

/** A complete keep-alive answer the front writes itself. */
function cannedAnswer(status: number, headers: Record<string, string> = {}): string {
  const body = '{"errors":["Injected fault"]}';
  const lines = Object.entries({
    'Content-Type': 'application/json',
    'Content-Length': String(body.length),
    ...headers,
  });
  return `HTTP/1.1 ${status} Injected\r\n${lines.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n${body}`;
}

/** Sends one raw request on a connection of its own and resolves with the status of the answer. */
function forwardAlone(port: number, request: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const up = createConnection({ host: '127.0.0.1', port });
    let buf = Buffer.alloc(0);
    up.on('error', reject);
    up.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const parts = splitHead(buf);
      if (parts === undefined || parts.rest.length < contentLength(parts.head)) return;
      up.destroy();
      resolve(Number(parts.head.split(' ')[1]));
    });
    up.write(request);
  });
}

/**
 * A raw TCP front on 127.0.0.1 in front of the local intake: transparent (one upstream connection per
 * client connection, bytes passed as they are) until told to misbehave. It frames HTTP/1.1 requests
 * and responses by `Content-Length` (both sides always send one), so a fault applies to one request,
 * on a fresh or a reused keep-alive connection alike.
 */
export async function startTcpFront(upstreamPort: number): Promise<TcpFront> {
  const log: FrontRequest[] = [];
  const queue: TcpFault[] = [];
  let sticky: TcpFault | undefined;
  let planned: ((request: { n: number; path: string }) => TcpFault | undefined) | undefined;
  let plannedCount = 0;
  let held: Buffer[] = [];
  let conns = 0;
  const open = new Map<Socket, { idle: () => boolean }>();
  let server: Server = createServer(onConnection);
  let listening = false;

  function onConnection(client: Socket): void {
    const id = conns++;
    let index = 0;
    let buf = Buffer.alloc(0);
    let current: { entry: FrontRequest; fault: TcpFault | undefined; need: number } | undefined;
    let upstream: Socket | undefined;
    let answer: { buf: Buffer; need: number; fault: TcpFault | undefined; entry: FrontRequest } | undefined;
    let hung = false;
    const timers = new Set<ReturnType<typeof setTimeout>>();
    const kill = (): void => {
      for (const t of timers) clearTimeout(t);
      if (!client.destroyed) client.resetAndDestroy();
      upstream?.destroy();
    };
    open.set(client, { idle: () => current === undefined && answer === undefined && !hung });
    client.on('close', () => {
      open.delete(client);
      for (const t of timers) clearTimeout(t);
      upstream?.destroy();
    });
    client.on('error', () => {});

    const getUpstream = (): Socket => {
      if (upstream !== undefined && !upstream.destroyed) return upstream;
      const up = createConnection({ host: '127.0.0.1', port: upstreamPort });
      up.on('error', () => kill());
      up.on('close', () => {
        if (upstream === up) upstream = undefined;
        if (answer !== undefined) kill();
      });
      up.on('data', (chunk: Buffer) => onUpstream(chunk));
      upstream = up;
      return up;
    };

    const onUpstream = (chunk: Buffer): void => {
      if (answer === undefined) return;
      answer.buf = Buffer.concat([answer.buf, chunk]);
      if (answer.need < 0) {
        const parts = splitHead(answer.buf);
        if (parts === undefined) return;
        answer.entry.status = Number(parts.head.split(' ')[1]);
        answer.need = Buffer.byteLength(parts.head, 'latin1') + contentLength(parts.head);
      }
      if (answer.buf.length < answer.need) return;
      const { buf: whole, fault, entry } = answer;
      answer = undefined;
      if (fault?.kind === 'reset-after-store') kill();
      else if (fault?.kind === 'status-after-store') {
        entry.answered = fault.status;
        client.write(cannedAnswer(fault.status));
        next();
      } else if (fault?.kind === 'trickle') {
        entry.answered = entry.status;
        trickle(whole, fault.bytes, fault.everyMs);
      } else {
        entry.answered = entry.status;
        client.write(whole);
        next();
      }
    };

    const trickle = (bytes: Buffer, step: number, everyMs: number): void => {
      let at = 0;
      const tick = (): void => {
        if (client.destroyed) return;
        client.write(bytes.subarray(at, at + step));
        at += step;
        if (at < bytes.length) {
          const t = setTimeout(() => {
            timers.delete(t);
            tick();
          }, everyMs);
          timers.add(t);
        } else next();
      };
      tick();
    };

    // A request finished (answered or dropped): look at whatever the client already sent after it.
    const next = (): void => {
      if (buf.length > 0) onClient(Buffer.alloc(0));
    };

    const onClient = (chunk: Buffer): void => {
      if (hung) return;
      buf = Buffer.concat([buf, chunk]);
      if (answer !== undefined || buf.length === 0) return; // one request at a time, as HTTP/1.1 clients do
      if (current === undefined) {
        const fault = queue.shift() ?? sticky;
        const entry: FrontRequest = {
          conn: id,
          index: index++,
          path: '',
          fault: fault?.kind,
          status: undefined,
          answered: undefined,
          at: performance.now(),
          headers: {},
          body: undefined,
        };
        log.push(entry);
        current = { entry, fault, need: -1 };
      }
      if (current.need < 0) {
        const parts = splitHead(buf);
        if (parts === undefined) return;
        current.entry.path = parts.head.split(' ')[1] ?? '';
        current.entry.headers = headersOf(parts.head);
        if (current.fault === undefined && planned !== undefined) {
          current.fault = planned({ n: plannedCount++, path: current.entry.path });
          current.entry.fault = current.fault?.kind;
        }
        current.need = Buffer.byteLength(parts.head, 'latin1') + contentLength(parts.head);
        if (current.fault?.kind === 'reset') {
          // The body, when it came with the head (as it does for a small request): logged, never forwarded.
          if (buf.length >= current.need)
            current.entry.body = Buffer.from(parts.rest.subarray(0, contentLength(parts.head)));
          kill();
          return;
        }
      }
      if (buf.length < current.need) return;
      const request = buf.subarray(0, current.need);
      buf = buf.subarray(current.need);
      const { entry, fault } = current;
      current = undefined;
      entry.body = Buffer.from(
        request.subarray(request.length - Number(entry.headers['content-length'] ?? 0)),
      );
      if (fault?.kind === 'hang' || fault?.kind === 'hold') {
        if (fault.kind === 'hold') held.push(Buffer.from(request));
        hung = true;
        return;
      }
      if (fault?.kind === 'answer') {
        entry.answered = fault.status;
        client.write(cannedAnswer(fault.status, fault.headers));
        next();
        return;
      }
      answer = { buf: Buffer.alloc(0), need: -1, fault, entry };
      getUpstream().write(request);
    };
    client.on('data', onClient);
  }

  const listen = (port: number): Promise<void> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        listening = true;
        resolve();
      });
    });
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      for (const socket of open.keys()) socket.resetAndDestroy();
      if (!listening) return resolve();
      listening = false;
      server.close(() => resolve());
    });

  await listen(0);
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    log,
    failNext(n, fault) {
      for (let i = 0; i < n; i++) queue.push(fault);
    },
    failAll(fault) {
      sticky = fault;
    },
    plan(select) {
      planned = select;
      plannedCount = 0;
    },
    releaseHeld() {
      const requests = held;
      held = [];
      return Promise.all(requests.map((r) => forwardAlone(upstreamPort, r)));
    },
    async recover() {
      queue.length = 0;
      sticky = undefined;
      planned = undefined;
      if (!listening) {
        // The same port again (a client keeps its intake URL); nothing else binds it in between here.
        server = createServer(onConnection);
        await listen(port);
      }
    },
    refuse: stop,
    resetIdle() {
      let n = 0;
      for (const [socket, state] of open)
        if (state.idle()) {
          socket.resetAndDestroy();
          n++;
        }
      return n;
    },
    close: stop,
  };
}
