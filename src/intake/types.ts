/** Series type as the intake stores it: v1 names, v2 numbers (0..3) mapped to the same names. */
export type SeriesType = 'unspecified' | 'count' | 'rate' | 'gauge';

/** One series (metric + type + host + sorted tags) as a last-write-wins backend holds it. */
export interface ReceivedSeries {
  /** Identity: `type|metric|host|tag1,tag2`. */
  key: string;
  metric: string;
  type: SeriesType;
  host: string;
  /** Sorted, de-duplicated. */
  tags: string[];
  /** Last `interval` seen, if any. */
  interval?: number;
  /** `[timestamp, value]` sorted by timestamp; one value per timestamp, the last one written. */
  points: [number, number][];
  /** Points written to this series (each accepted point, overwrites included). */
  writes: number;
  /** Writes that replaced a value already stored for the same timestamp. */
  overwrites: number;
  /** Store version of the last write (the page redraws only what changed). */
  version: number;
}

/** One distribution series: every value received is kept (the backend adds them up). */
export interface ReceivedDistribution {
  /** Identity: `distribution|metric|host|tag1,tag2`. */
  key: string;
  metric: string;
  host: string;
  tags: string[];
  /** `[timestamp, values]` sorted by timestamp; values in arrival order. */
  points: [number, number[]][];
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
  /** Points (series points and distribution values) outside the window at arrival: answered 202, dropped. */
  ignoredPoints: { past: number; future: number };
  /** Points stored (overwrites included). */
  storedPoints: number;
  /** What the memory bounds pushed out. */
  evicted: { series: number; points: number; events: number };
  /** Requests that met an injected fault (any kind). */
  faulted: number;
  /** Body bytes as received (compressed) and after decompression. */
  bytesIn: number;
  bytesDecoded: number;
  /** Requests by path. */
  byPath: Record<string, number>;
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
