import type { Aggregator } from '../core/aggregator.js';
import type { MetricsError } from '../errors.js';
import type { Transport } from '../types.js';
import type { SendCounters } from './send.js';

export interface FlushCounters extends SendCounters {
  flushes: number;
  failedFlushes: number;
  /** Events sent again after an ambiguous failure (points: see the core's own count). */
  resent: number;
  carriedOver: number;
  /** Requests that failed in a way that may have stored them (cut in flight, 5xx, a lost connection). */
  ambiguous: number;
  /** Events refused for good (points: see the core's own count). */
  rejected: number;
  errors: Record<string, number>;
}

/** Events waiting to be sent (each a request body): taken by a run, the unsent ones put back. */
export interface EventSource {
  take(): string[];
  putBack(events: string[]): void;
  readonly size: number;
}

export interface RunDeps {
  aggregator: Aggregator;
  events: EventSource;
  transport: Transport;
  counters: FlushCounters;
  nowMs: () => number;
  random?: () => number;
  /** Counts an error of this run (each error object once). */
  count: (error: MetricsError) => void;
}

/** What a run has done so far: each caller's report is a copy of it when that caller returns. */
export interface Progress {
  series: number;
  points: number;
  events: number;
  requests: number;
  retries: number;
  bytes: number;
  dropped: number;
  /** Points drained by this run, not (yet) stored or refused. */
  unsent: number;
  errors: MetricsError[];
}
