/** Series type as the intake stores it: v1 names, v2 numbers (0..3) mapped to the same names. */
export type SeriesType = 'unspecified' | 'count' | 'rate' | 'gauge';

/**
 * One series as Datadog keeps it: keyed by metric, host and sorted tags — not by type — with one
 * value per timestamp, the last one written (a count and a gauge of one name and tags overwrite each
 * other, as they do in Datadog).
 */
export interface ReceivedSeries {
  /** Identity: `series:` + JSON of `[metric, host, tags]`. */
  key: string;
  metric: string;
  /** Type of the last write. */
  type: SeriesType;
  /** Every type written to this series, in a fixed order (count, rate, gauge, unspecified). */
  types: SeriesType[];
  /**
   * The metric name arrived with more than one type — across its series, or also as a distribution
   * (Datadog keeps one type per name). `unspecified` (v2 type 0) conflicts with nothing.
   */
  typeConflict: boolean;
  host: string;
  /** Sorted, de-duplicated. */
  tags: string[];
  /** Last `interval` seen, if any. */
  interval?: number;
  /** Last v2 `unit` seen, if any (v1 has no unit). */
  unit?: string;
  /** `[timestamp, value]` sorted by timestamp; one value per timestamp, the last one written. */
  points: [number, number][];
  /** Timestamps stored (`points` lists only the last ones when the snapshot was asked for fewer). */
  timestamps: number;
  /** Points written to this series (each accepted point, overwrites included). */
  writes: number;
  /** Writes that replaced a value already stored for the same timestamp. */
  overwrites: number;
  /** Store version of the last write (the page redraws only what changed). */
  version: number;
}

/** Count, sum, min and max of the distribution values stored for one timestamp. */
export interface DistributionStats {
  timestamp: number;
  count: number;
  sum: number;
  min: number;
  max: number;
}

/** One distribution series: every value received is kept, per timestamp (Datadog adds them up). */
export interface ReceivedDistribution {
  /** Identity: `distribution:` + JSON of `[metric, host, tags]`. */
  key: string;
  metric: string;
  /** The metric name also arrived as a series (Datadog keeps one type per name). */
  typeConflict: boolean;
  host: string;
  tags: string[];
  /** `[timestamp, values]` sorted by timestamp; values in arrival order, from every sender. */
  points: [number, number[]][];
  /** Per timestamp of `points`: count, sum, min, max of its values. */
  stats: DistributionStats[];
  /** Timestamps stored (`points` lists only the last ones when the snapshot was asked for fewer). */
  timestamps: number;
  /** Values stored. */
  values: number;
  /** Values received, evicted ones included. */
  writes: number;
  version: number;
}

/** Counters of everything the intake saw. */
export interface IntakeCounts {
  /** Requests to the ingest endpoints (faulted ones included). */
  requests: number;
  /** Requests answered 2xx. */
  accepted: number;
  /** Non-2xx answers by status (injected faults included). */
  rejected: Record<string, number>;
  /** v2 series refused inside an accepted request (listed in the 202 body's `errors`). */
  rejectedSeries: number;
  /** Points (series points and distribution values) outside the window at arrival: answered 202, dropped. */
  ignoredPoints: { past: number; future: number };
  /** Points stored (overwrites included). */
  storedPoints: number;
  /** Metric names that arrived with a second type (count vs gauge vs rate, series vs distribution). */
  typeConflicts: number;
  /** What the memory bounds pushed out (`bytes`: their estimated weight). */
  evicted: { series: number; points: number; events: number; bytes: number };
  /** Requests that met an injected fault (any kind). */
  faulted: number;
  /** Body bytes as received (compressed) and after decompression. */
  bytesIn: number;
  bytesDecoded: number;
  /** Requests by path. */
  byPath: Record<string, number>;
}

/** What the intake holds now, and its bounds. */
export interface IntakeUsage {
  /** Series and distributions stored. */
  series: number;
  /** Series points plus distribution values stored. */
  points: number;
  events: number;
  /** Estimated heap bytes of everything stored. */
  bytes: number;
  /** Bytes held right now by request bodies in progress. */
  bodyBytes: number;
}

export interface IntakeLimits {
  maxSeries: number;
  maxPoints: number;
  maxEvents: number;
  maxBytes: number;
  maxBodyBytes: number;
}

/** Options of `received()` (and the query of `GET /api/received`). */
export interface ReceivedOptions {
  /** List only the last N timestamps of each series (`?points=N`); `timestamps` still counts all. */
  points?: number;
  /** List only the first N values of each distribution timestamp (`?values=N`); `stats` still cover all. */
  values?: number;
}

/**
 * The body of `GET /api/received` and the return value of `intake.received()`.
 * `GET /api/received?since=V` (or `received(V)`) lists only the series written after version V.
 * @example
 * const { series } = intake.received();
 * const orders = series.find((s) => s.metric === 'shop.orders');
 * expect(orders?.points).toEqual([[1700000000, 5]]);
 */
export interface ReceivedSnapshot {
  series: ReceivedSeries[];
  distributions: ReceivedDistribution[];
  /** Events as received (parsed JSON), oldest first, bounded. */
  events: Record<string, unknown>[];
  counts: IntakeCounts;
  usage: IntakeUsage;
  limits: IntakeLimits;
  /** Increases with every accepted write; equal versions mean equal contents. */
  version: number;
  /**
   * Version at which a whole series last disappeared (eviction, clear). A reader of deltas
   * (`GET /api/received?since=V`) whose last full view is older than this must read everything again.
   */
  resetAt: number;
  /** Set on a delta: only series written after this version are listed (counts and events are whole). */
  since?: number;
  /** Unix seconds of the intake's clock when the snapshot was taken. */
  now: number;
}

/**
 * An injected fault. With `count`, it applies to the next `count` ingest requests (queued in order);
 * without, to every ingest request until cleared (the last such fault replaces the previous one).
 * A queued fault is combined with the permanent one: `{ delayMs: 100 }` + `{ status: 503, count: 2 }`
 * delays every request and fails the next two.
 */
export interface FaultSpec {
  /** Answer with this status (body `{"errors":["Injected fault"]}`) without storing anything. */
  status?: number;
  count?: number;
  /** Wait this long before handling the request. */
  delayMs?: number;
  /** Reset the connection instead of answering. */
  reset?: boolean;
  /** Read the request, never answer (until the client gives up or the intake closes). */
  hang?: boolean;
  /** `Retry-After` header (seconds) sent with `status`. */
  retryAfter?: number;
}

/** Fault injection, also reachable as `POST /api/faults` (a FaultSpec) and `DELETE /api/faults`. */
export interface Faults {
  inject(spec: FaultSpec): void;
  clear(): void;
  state(): { permanent: FaultSpec | undefined; queue: FaultSpec[] };
}
