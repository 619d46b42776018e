import type { IncomingMessage, ServerResponse } from 'node:http';

const THROTTLE_MS = 100;
const HEARTBEAT_MS = 15_000;

/** Sends a JSON answer. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

/**
 * Sends JSON produced in pieces (chunked), waiting for the socket to drain between pieces, so a large
 * snapshot never becomes one string in memory.
 */
export async function streamJson(res: ServerResponse, parts: Iterable<string>): Promise<void> {
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  for (const part of parts) {
    if (res.destroyed) return;
    if (!res.write(part))
      await new Promise<void>((resolve) => {
        const done = (): void => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
  }
  res.end();
}

/**
 * Change notifications: listeners in-process (the terminal table) and Server-Sent Events for the
 * web page (`GET /api/stream`, one `data: <version>` message per burst of changes, at most every 100 ms).
 */
export class ChangeHub {
  private listeners = new Set<() => void>();
  private streams = new Set<ServerResponse>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private heartbeat: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly version: () => number) {}

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called after every write; coalesced so a burst of requests costs one notification. */
  changed(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      for (const l of this.listeners) {
        try {
          l();
        } catch {
          // A failing listener must not break the intake.
        }
      }
      const msg = `data: ${this.version()}\n\n`;
      for (const s of this.streams) s.write(msg);
    }, THROTTLE_MS);
  }

  /** Serves `GET /api/stream`. */
  stream(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
    });
    res.write(`retry: 1000\ndata: ${this.version()}\n\n`);
    this.streams.add(res);
    req.on('close', () => this.streams.delete(res));
    if (this.heartbeat === undefined) {
      this.heartbeat = setInterval(() => {
        for (const s of this.streams) s.write(': ping\n\n');
      }, HEARTBEAT_MS);
      this.heartbeat.unref();
    }
  }

  close(): void {
    clearTimeout(this.timer);
    clearInterval(this.heartbeat);
    this.timer = undefined;
    this.heartbeat = undefined;
    for (const s of this.streams) s.end();
    this.streams.clear();
    this.listeners.clear();
  }
}
