// A recording front for the local intake (runs in Node): every request is recorded as it arrived (headers,
// raw body) and forwarded to the intake, whose answer (stored, or an injected fault) is relayed back.
// `hold()` keeps requests from going on until `release()`: an intake that has not answered yet, made
// deterministic. `timeline` records the order of arrivals and answers; tests add their own entries.
import { createServer, type IncomingHttpHeaders, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FrontRequest {
  path: string;
  headers: IncomingHttpHeaders;
  /** The body as it came over the wire (deflated when Content-Encoding says so). */
  raw: Buffer;
  /** Status relayed to the client; undefined while unanswered (held, hung) or when the client left first. */
  status: number | undefined;
  /** The client closed the connection before it was answered (e.g. its deadline aborted the fetch). */
  abandoned: boolean;
}

export interface Front {
  url: string;
  readonly requests: FrontRequest[];
  /** `arrived <path>`, `answered <status>`, and whatever the test pushes, in order. */
  readonly timeline: string[];
  hold(): void;
  release(): void;
  close(): Promise<void>;
}

export async function startFront(intakeUrl: string): Promise<Front> {
  const target = new URL(intakeUrl);
  let held: (() => void)[] | undefined;
  const front: Front = {
    url: '',
    requests: [],
    timeline: [],
    hold: () => {
      held ??= [];
    },
    release: () => {
      const queued = held ?? [];
      held = undefined;
      for (const go of queued) go();
    },
    close: () =>
      new Promise((resolve) => {
        front.release();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const record: FrontRequest = {
        path: req.url ?? '',
        headers: req.headers,
        raw: Buffer.concat(chunks),
        status: undefined,
        abandoned: false,
      };
      front.requests.push(record);
      front.timeline.push(`arrived ${record.path}`);
      let upstream: ReturnType<typeof request> | undefined;
      res.on('close', () => {
        if (!res.writableFinished) {
          record.abandoned = true;
          upstream?.destroy();
        }
      });
      const forward = (): void => {
        if (res.destroyed) return;
        const headers = { ...req.headers, host: target.host };
        upstream = request(
          { host: target.hostname, port: target.port, path: req.url, method: req.method, headers },
          (answer) => {
            const body: Buffer[] = [];
            answer.on('data', (c: Buffer) => body.push(c));
            answer.on('end', () => {
              if (res.destroyed) return;
              res.writeHead(answer.statusCode ?? 502, answer.headers);
              res.end(Buffer.concat(body), () => {
                record.status = answer.statusCode;
                front.timeline.push(`answered ${answer.statusCode}`);
              });
            });
          },
        );
        upstream.on('error', () => res.destroy());
        upstream.end(record.raw);
      };
      if (held !== undefined) held.push(forward);
      else forward();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  front.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return front;
}
