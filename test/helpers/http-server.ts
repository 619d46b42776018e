import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inflateSync } from 'node:zlib';

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: unknown;
  rawBytes: number;
}

export type Responder = (req: SeenRequest, res: ServerResponse, raw: IncomingMessage) => void;

export interface TestServer {
  url: string;
  seen: SeenRequest[];
  server: Server;
  respond: Responder;
  close(): Promise<void>;
}

/** A real node:http server on 127.0.0.1 that inflates and records every request. */
export async function startServer(respond?: Responder): Promise<TestServer> {
  const seen: SeenRequest[] = [];
  const state: TestServer = {
    url: '',
    seen,
    server: undefined as unknown as Server,
    respond:
      respond ??
      ((_req, res) => {
        res.writeHead(202, { 'Content-Type': 'application/json' }).end('{"status":"ok"}');
      }),
    close: async () => {},
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const text =
        req.headers['content-encoding'] === 'deflate' ? inflateSync(raw).toString() : raw.toString();
      const entry: SeenRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: text === '' ? undefined : JSON.parse(text),
        rawBytes: raw.length,
      };
      seen.push(entry);
      state.respond(entry, res, req);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.server = server;
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}
