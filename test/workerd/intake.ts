// A recording Datadog-style intake on 127.0.0.1 for the workerd suites (runs in Node).
// Every POST is recorded with its inflated JSON body and whether the client stayed for the answer:
// a request whose connection closes before the intake responds was cancelled by the runtime.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inflateSync } from 'node:zlib';

export interface IntakeRecord {
  path: string;
  apiKey: string | undefined;
  encoding: string | undefined;
  body: unknown;
  /** The intake answered 202 on an open connection. */
  responded: boolean;
  /** The client closed the connection before the answer: the runtime cancelled the fetch. */
  cancelled: boolean;
}

export interface RecordingIntake {
  url: string;
  readonly records: IntakeRecord[];
  /** Holds every answer until `release()` (a slow network, made deterministic). */
  hold(): void;
  /** Answers everything held and stops holding. */
  release(): void;
  close(): Promise<void>;
}

function decode(raw: Buffer, encoding: string | undefined): unknown {
  const text = encoding === 'deflate' ? inflateSync(raw).toString('utf8') : raw.toString('utf8');
  return JSON.parse(text);
}

function control(intake: RecordingIntake, req: IncomingMessage, res: ServerResponse): void {
  // For tests running inside workerd: GET /_records reads, DELETE clears, POST /_hold and /_release.
  if (req.url === '/_hold') intake.hold();
  else if (req.url === '/_release') intake.release();
  else if (req.method === 'DELETE') intake.records.length = 0;
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(intake.records));
}

/** Starts the intake on an ephemeral loopback port. */
export async function startRecordingIntake(): Promise<RecordingIntake> {
  let held: (() => void)[] | undefined;
  const intake: RecordingIntake = {
    url: '',
    records: [],
    hold: () => {
      held ??= [];
    },
    release: () => {
      const answers = held ?? [];
      held = undefined;
      for (const answer of answers) answer();
    },
    close: () =>
      new Promise((resolve) => {
        intake.release();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/_')) return control(intake, req, res);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const encoding = req.headers['content-encoding'];
      const key = req.headers['dd-api-key'];
      const record: IntakeRecord = {
        path: req.url ?? '',
        apiKey: typeof key === 'string' ? key : undefined,
        encoding,
        body: decode(Buffer.concat(chunks), encoding),
        responded: false,
        cancelled: false,
      };
      intake.records.push(record);
      res.on('close', () => {
        if (!res.writableFinished) record.cancelled = true;
      });
      const answer = (): void => {
        if (res.destroyed) return;
        res.writeHead(202, { 'content-type': 'application/json' });
        res.end('{"status":"ok"}', () => {
          record.responded = true;
        });
      };
      if (held !== undefined) held.push(answer);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  intake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return intake;
}

/** Polls until `predicate` holds (the runtime finishes waitUntil work after the response). */
export async function waitFor<T>(read: () => T | Promise<T>, predicate: (value: T) => boolean, what: string) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await read();
    if (predicate(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
