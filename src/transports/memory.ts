import type { ApiPath, Transport, TransportRequest } from '../types.js';

/** One request as the in-memory transport saw it: `body` is the decoded JSON exactly as sent. */
export interface RecordedRequest {
  path: ApiPath;
  body: unknown;
}

export interface MemoryTransportOptions {
  /** Status to simulate per attempt (default 202). Throwing simulates a network error. */
  respond?: (request: RecordedRequest) => number;
}

export interface MemoryTransport extends Transport {
  /** Every attempt, in order (retries included). */
  readonly requests: RecordedRequest[];
  /** Forgets recorded requests. */
  clear(): void;
}

/**
 * An in-memory transport for tests: records every request the client would send.
 * @example
 * const transport = createMemoryTransport();
 * const metrics = createMetrics({ transport, flushInterval: 0 });
 * metrics.increment('orders');
 * await metrics.flush();
 * transport.requests[0]?.path; // '/api/v1/series'
 */
export function createMemoryTransport(options: MemoryTransportOptions = {}): MemoryTransport {
  const requests: RecordedRequest[] = [];
  return {
    requests,
    clear() {
      requests.length = 0;
    },
    async send(request: TransportRequest, signal: AbortSignal) {
      if (signal.aborted) throw signal.reason;
      const recorded: RecordedRequest = { path: request.path, body: JSON.parse(request.body) };
      requests.push(recorded);
      const status = options.respond === undefined ? 202 : options.respond(recorded);
      return { status };
    },
  };
}
