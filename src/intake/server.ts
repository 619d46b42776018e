import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BodyBudget } from './body.js';
import type { Pending } from './faulted.js';
import { createFaults } from './faults.js';
import type { IngestPath } from './ingest.js';
import { ChangeHub, sendJson } from './live.js';
import { handleControl, handleIngest, INGEST, type RouteContext } from './routes.js';
import { IntakeStore } from './store.js';
import type { FaultSpec, Faults, ReceivedOptions, ReceivedSnapshot } from './types.js';

export interface IntakeOptions {
  /** Default 0: a free port. The CLI defaults to 8128. */
  port?: number;
  /** Default `127.0.0.1`. */
  host?: string;
  /** Answer 403 when the `DD-API-KEY` header is missing or empty. Default true. */
  apiKeyRequired?: boolean;
  /** No request log lines. Default false. */
  quiet?: boolean;
  /** Where request log lines go. Default `console.log`. */
  log?: (line: string) => void;
  /** Series kept (series and distributions together); the least recently written are evicted. Default 10,000. */
  maxSeries?: number;
  /** Points kept (series points + distribution values); oldest first. Default 1,000,000. */
  maxPoints?: number;
  /** Events kept. Default 1,000. */
  maxEvents?: number;
  /**
   * Estimated heap bytes of everything kept (series, points, distribution values, events); past it the
   * oldest points of the least recently written series are evicted (counted). Default 64 MiB: about a
   * million points, or 60,000 small series — raise it with `maxPoints` or `maxSeries`.
   */
  maxBytes?: number;
  /**
   * Bytes held at once by request bodies in progress, over all requests (a body is kept as received,
   * at most 3.2 MB, until it is stored). A request past it is answered 503 with `Retry-After: 1`.
   * Default 64 MiB.
   */
  maxBodyBytes?: number;
  /** Clock in milliseconds (the window is checked against it). Default `Date.now`. */
  now?: () => number;
  /** Faults in place from the start. */
  faults?: readonly FaultSpec[];
}

/** A running intake. */
export interface Intake {
  /** Base URL for `intakeUrl` / `DD_DD_URL`, e.g. `http://127.0.0.1:8128`. The web page is at `url + '/'`. */
  url: string;
  port: number;
  /**
   * Everything kept so far (also `GET /api/received`); with `since`, only series written after that
   * version; with `{ points: N }`, only the last N timestamps of each series.
   */
  received(since?: number, options?: ReceivedOptions): ReceivedSnapshot;
  /** Forgets everything received and resets the counters (also `DELETE /api/received`). */
  clear(): void;
  faults: Faults;
  /** Called (coalesced, at most every 100 ms) after data arrives. Returns an unsubscribe function. */
  subscribe(listener: () => void): () => void;
  /** Stops listening and drops every connection (hung and delayed requests included). */
  close(): Promise<void>;
  server: Server;
}

/**
 * Starts a local Datadog-compatible intake (see the README, "Local intake").
 * @example
 * import { startIntake } from 'handlerstats/intake';
 * const intake = await startIntake({ quiet: true });
 * const metrics = createMetrics({ intakeUrl: intake.url, apiKey: 'test' });
 * metrics.increment('c'); await metrics.flush();
 * intake.received().series; // [{ metric: 'c', type: 'count', points: [[t, 1]], … }]
 * await intake.close();
 */
export async function startIntake(options: IntakeOptions = {}): Promise<Intake> {
  const now = options.now ?? Date.now;
  const log = options.quiet === true ? () => {} : (options.log ?? console.log);
  const bodies = new BodyBudget(positive('maxBodyBytes', options.maxBodyBytes, 64 * 1024 * 1024));
  const store = new IntakeStore(
    {
      maxSeries: positive('maxSeries', options.maxSeries, 10_000),
      maxPoints: positive('maxPoints', options.maxPoints, 1_000_000),
      maxEvents: positive('maxEvents', options.maxEvents, 1000),
      maxBytes: positive('maxBytes', options.maxBytes, 64 * 1024 * 1024),
    },
    bodies,
  );
  const faults = createFaults();
  for (const f of options.faults ?? []) faults.inject(f);
  const hub = new ChangeHub(() => store.version);
  const pending: Pending = { timers: new Set(), hung: new Set() };
  const ctx: RouteContext = {
    store,
    faults,
    hub,
    pending,
    now,
    log,
    apiKeyRequired: options.apiKeyRequired ?? true,
    bodies,
  };

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!.replace(/(.)\/+$/, '$1');
    const handle =
      req.method === 'POST' && INGEST.has(path)
        ? handleIngest(ctx, path as IngestPath, req, res)
        : handleControl(ctx, path, req, res);
    handle.catch((error: unknown) => {
      log(`[intake] internal error on ${req.method} ${path}: ${String(error)}`);
      if (!res.headersSent) sendJson(res, 500, { errors: ['Internal error'] });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 65_000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    received: (since, receivedOptions) => store.snapshot(now() / 1000, since, receivedOptions),
    clear() {
      store.clear();
      hub.changed();
    },
    faults,
    subscribe: (listener) => hub.subscribe(listener),
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const t of pending.timers) clearTimeout(t);
        pending.timers.clear();
        hub.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
    server,
  };
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1)
    throw new RangeError(`handlerstats intake: option "${name}" must be a positive integer`);
  return value;
}
