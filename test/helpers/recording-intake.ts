import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inflateSync } from 'node:zlib';

/** A shared counter: the intake and the Runtime API emulator stamp what they see with it, in order. */
export interface Sequence {
  next(): number;
}

export function createSequence(): Sequence {
  let n = 0;
  return { next: () => ++n };
}

/** One request as it arrived (body fully received), before the intake answered it. */
export interface IntakeRecord {
  seq: number;
  path: string;
  apiKey: string | undefined;
  body: { series?: IntakeSeries[] } & Record<string, unknown>;
  /** Set once the intake answered; stays undefined for a request still held by `delayMs`. */
  answeredSeq?: number;
}

export interface IntakeSeries {
  metric: string;
  type?: string;
  points: [number, number | number[]][];
  host: string;
  tags: string[];
}

export interface RecordingIntake {
  url: string;
  records: IntakeRecord[];
  /** Holds every answer this long (a slow intake). 0 answers at once. */
  delayMs: number;
  /** Resolves once `predicate` holds for the records (polls; rejects after `timeoutMs`). */
  waitFor(predicate: (records: IntakeRecord[]) => boolean, timeoutMs?: number): Promise<void>;
  /** Series entries named `metric` across `records` (default: all), in arrival order. */
  series(metric: string, records?: IntakeRecord[]): IntakeSeries[];
  close(): Promise<void>;
}

/**
 * A minimal Datadog-API intake on 127.0.0.1: accepts `/api/v1/series`, `/api/v1/distribution_points`
 * and `/api/v1/events` (plain or deflate), records each with a sequence number, answers 202.
 * `keepAliveTimeoutMs` is short by default so a thawed client meets a socket the server closed.
 */
export async function startRecordingIntake(
  sequence: Sequence = createSequence(),
  keepAliveTimeoutMs = 1000,
): Promise<RecordingIntake> {
  const records: IntakeRecord[] = [];
  const held = new Set<ServerResponse>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const text =
        req.headers['content-encoding'] === 'deflate' ? inflateSync(raw).toString() : raw.toString();
      const key = req.headers['dd-api-key'];
      const record: IntakeRecord = {
        seq: sequence.next(),
        path: (req.url ?? '').split('?')[0] ?? '',
        apiKey: typeof key === 'string' ? key : undefined,
        body: text === '' ? {} : JSON.parse(text),
      };
      records.push(record);
      const answer = (): void => {
        held.delete(res);
        if (res.destroyed) return;
        record.answeredSeq = sequence.next();
        res.writeHead(202, { 'Content-Type': 'application/json' }).end('{"status":"ok"}');
      };
      if (intake.delayMs <= 0) answer();
      else {
        held.add(res);
        setTimeout(answer, intake.delayMs).unref();
      }
    });
  });
  server.keepAliveTimeout = keepAliveTimeoutMs;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const intake: RecordingIntake = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    records,
    delayMs: 0,
    async waitFor(predicate, timeoutMs = 10_000) {
      const end = Date.now() + timeoutMs;
      while (!predicate(records)) {
        if (Date.now() > end) throw new Error(`recording intake: condition not met in ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    series: (metric, from = records) =>
      from.flatMap((r) => (r.body.series ?? []).filter((s) => s.metric === metric)),
    close: () =>
      new Promise((resolve) => {
        for (const res of held) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return intake;
}
