import { type AddressInfo, createServer, type Socket } from 'node:net';

/** One HTTP/1.1 request as a raw TCP server read it. */
export interface RawRequest {
  /** Request line and headers, as sent. */
  head: string;
  body: Buffer;
  socket: Socket;
  /** 1 for the first request on its connection, 2 for the next (keep-alive)… */
  onSocket: number;
}

export interface RawServer {
  url: string;
  requests: RawRequest[];
  /** Connections accepted so far. */
  connections: number;
  close(): Promise<void>;
}

/**
 * A TCP server on 127.0.0.1 that parses requests (Content-Length bodies) and lets `answer` write whatever
 * bytes it likes on the socket: malformed responses, nothing at all, a reset.
 */
export async function startRawServer(answer: (request: RawRequest) => void): Promise<RawServer> {
  const sockets = new Set<Socket>();
  const state: RawServer = { url: '', requests: [], connections: 0, close: async () => {} };
  const server = createServer((socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buffered = Buffer.alloc(0);
    let onSocket = 0;
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffered.subarray(0, end).toString('latin1');
        const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
        if (buffered.length < end + 4 + length) return;
        const body = buffered.subarray(end + 4, end + 4 + length);
        buffered = buffered.subarray(end + 4 + length);
        const request = { head, body, socket, onSocket: ++onSocket };
        state.requests.push(request);
        answer(request);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return state;
}

/** A complete, well-formed keep-alive answer. */
export function reply(status: number, body = '', headers: Record<string, string> = {}): string {
  const lines = Object.entries({ 'Content-Length': String(Buffer.byteLength(body)), ...headers });
  return `HTTP/1.1 ${status} X\r\n${lines.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n${body}`;
}
