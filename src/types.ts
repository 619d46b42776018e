import type { MetricsError } from './errors.js';

/** Tags as `['key:value', …]` or `{ key: value }`. Normalized the way Datadog does. */
export type Tags = readonly string[] | Readonly<Record<string, string | number | boolean>>;

/** Per-call options of every metric method. */
export interface MetricOptions {
  tags?: Tags;
  /** Unix **seconds** (fractions allowed) or a `Date`. A number > 1e11 is read as milliseconds (counted). */
  timestamp?: number | Date;
  host?: string;
}

export type HistogramAggregate = 'min' | 'max' | 'avg' | 'median' | 'sum' | 'count';

export type ApiPath = '/api/v1/series' | '/api/v2/series' | '/api/v1/distribution_points' | '/api/v1/events';

/** One HTTP request the client wants sent. `body` is the JSON text exactly as it goes on the wire. */
export interface TransportRequest {
  readonly path: ApiPath;
  readonly body: string;
}

/** What a transport saw. Network failures are thrown (any error), not returned. */
export interface TransportResponse {
  status: number;
  /** Response body (for 400/403 reports), possibly truncated. */
  body?: string;
  /** From `Retry-After` / `X-RateLimit-Reset`, in milliseconds. */
  retryAfterMs?: number;
  /** Bytes put on the wire (after compression). Defaults to the body length. */
  bytes?: number;
  /** The transport itself sent the request twice (e.g. a stale keep-alive socket): it may have arrived twice. */
  ambiguous?: boolean;
}

/**
 * Sends one request, one attempt. Retries, backoff, splitting and deadlines live in the client.
 * @example
 * const transport: Transport = { async send(req) { console.log(req.path, req.body); return { status: 202 }; } };
 */
export interface Transport {
  send(request: TransportRequest, signal: AbortSignal): Promise<TransportResponse>;
  /**
   * The sink adds up every point it gets (e.g. the Datadog Forwarder, which turns log lines into
   * distribution points) instead of keeping the last one per timestamp: the client then sends each
   * count's delta once and never re-sends a merged bucket.
   */
  readonly additive?: boolean;
  close?(): void | Promise<void>;
}

export interface EventOptions {
  tags?: Tags;
  /** Unix seconds or a Date; defaults to now. */
  dateHappened?: number | Date;
  alertType?: 'error' | 'warning' | 'info' | 'success';
  priority?: 'normal' | 'low';
  aggregationKey?: string;
  sourceTypeName?: string;
  host?: string;
}

export interface MetricsOptions {
  /** Datadog API key. Default: `DD_API_KEY`. Without one, the client warns once and logs points instead. */
  apiKey?: string;
  /** Datadog site, e.g. `datadoghq.eu`. Default: `DD_SITE` or `datadoghq.com`. */
  site?: string;
  /** Explicit intake base URL (e.g. `http://127.0.0.1:8428/datadog`). Default: `DD_DD_URL`. */
  intakeUrl?: string;
  /** Allow `http://` to a non-loopback host. Default false. */
  allowInsecureHttp?: boolean;
  /** Prefix joined with `.` to every metric name. */
  namespace?: string;
  /** Constant tags, added to every series and event (plus `DD_TAGS`, `DD_ENV`, `DD_SERVICE`, `DD_VERSION`). */
  tags?: Tags;
  /** Default host of every series. Default `""`. */
  host?: string;
  /** Bucket width in seconds. Default 10. */
  rollupInterval?: number;
  /** Timer flush period in seconds (closed buckets only). 0 turns it off. Default 10. */
  flushInterval?: number;
  /** Deadline of one flush in milliseconds. Default 5000. */
  flushTimeoutMs?: number;
  /** Oldest accepted bucket, seconds before now. Default 3600 (Datadog's limit). */
  maxPastSeconds?: number;
  /** Newest accepted bucket, seconds after now. Default 600 (Datadog's limit). */
  maxFutureSeconds?: number;
  /** Default `['max', 'median', 'avg', 'count']`. */
  histogramAggregates?: readonly HistogramAggregate[];
  /** Default `[0.95]`. */
  histogramPercentiles?: readonly number[];
  /** Bound on unsent points (series-buckets and distribution values). Default 100,000. */
  maxBufferedPoints?: number;
  /** Bound on series-bucket records kept for cross-flush merging. Default 50,000. */
  maxRetainedBuckets?: number;
  /**
   * One budget in bytes for everything the client keeps (buffered points, retained records, samples, set
   * members, alias caches, queued events). Default 8 MiB. Past it: caches first, then the oldest sent
   * records, then the oldest unsent points, each loss counted.
   */
  maxMemoryBytes?: number;
  /**
   * `'native'` (default): counts as counts, gauges as gauges, histograms as `name.<agg>` series — right for
   * one process. `'distribution'`: counts, gauges, histograms and timings go to the distribution endpoint,
   * which Datadog adds up across senders — right for many containers or worker threads (DESIGN §13).
   */
  sendAs?: 'native' | 'distribution';
  /**
   * The series API: `1` (`/api/v1/series`, default) or `2` (`/api/v2/series`, with units). Default:
   * `DD_USE_V2_API_SERIES=true` selects 2. Distributions have no v2 endpoint and stay on v1.
   */
  apiVersion?: 1 | 2;
  /**
   * Datadog units per metric (as named in calls, without the namespace), e.g. `{ latency: 'millisecond' }`.
   * Sent on v2 only (v1 and distributions have no unit field).
   */
  units?: Readonly<Record<string, string>>;
  transport?: Transport;
  /**
   * Called once per kind of bad-input problem, and for every failure nobody else hears of: timer
   * flushes and the integrations' flushes. A `flush()` you call rejects instead. Default: `console.warn`.
   */
  onError?: (error: MetricsError) => void;
  /** Clock in milliseconds, like `Date.now`. For tests. */
  now?: () => number;
  /** `false` turns every call into a no-op. Default true (`DD_METRICS_ENABLED=false` also disables). */
  enabled?: boolean;
  /** Throw on bad input instead of dropping it. For tests. */
  strict?: boolean;
  /**
   * Environment to read `DD_*` from: any object, e.g. a Worker's `env` with its bindings (the `interface
   * Env` that `wrangler types` generates); only its string values are read. Default `process.env` where
   * it exists.
   */
  // `any`, not `unknown`: only an index signature of `any` accepts an interface (which has no implicit
  // index signature), and the client reads each value with a `typeof … === 'string'` check.
  // biome-ignore lint/suspicious/noExplicitAny: see above
  env?: { readonly [name: string]: any };
}

export interface FlushOptions {
  signal?: AbortSignal;
  /** Deadline of this flush in ms; the smaller of this and `flushTimeoutMs` applies. */
  timeoutMs?: number;
}

/** What one flush did. */
export interface FlushReport {
  ok: boolean;
  /** Series entries (incl. histogram aggregates) delivered. */
  series: number;
  /** Points (series points + distribution values) delivered. */
  points: number;
  events: number;
  requests: number;
  retries: number;
  bytes: number;
  /** Points that could not be sent and stay buffered for the next flush. */
  carried: number;
  /** Points given up on in this flush (400/403, expired, …). */
  dropped: number;
  durationMs: number;
  errors: MetricsError[];
}

export type DropReason =
  | 'invalid'
  | 'outOfWindow'
  | 'expired'
  | 'overflow'
  | 'evicted'
  | 'rejected'
  | 'collision';

export interface MetricsStats {
  recorded: number;
  /** Points that landed in a series-bucket that already had data (rolled up in-process). */
  merged: number;
  dropped: Record<DropReason, number>;
  /** Millisecond timestamps converted to seconds. */
  timestampsConverted: number;
  /** Names or tags changed by normalization. */
  normalized: number;
  flushes: number;
  failedFlushes: number;
  requests: number;
  retries: number;
  bytesSent: number;
  /** Points sent again after an ambiguous failure (a distribution value may then be counted twice). */
  resent: number;
  /** Points carried into a later flush after a failed or cut flush. */
  carriedOver: number;
  /**
   * Requests that failed in a way that may have stored them (cut at a deadline, 5xx, a connection lost
   * after the body was written). Their merged totals are sent again; see README "Ambiguous failures".
   */
  ambiguous: number;
  /** Sent records evicted by `maxRetainedBuckets` (not a loss by itself). */
  evictedRecords: number;
  /** Currently buffered (unsent) points and retained series-bucket records. */
  buffered: number;
  retained: number;
  series: number;
  /** Bytes the client holds now (an estimate of its heap), against `maxMemoryBytes`. */
  memoryBytes: number;
  errors: Record<string, number>;
}

/**
 * A bound instrument: the series is resolved once, so a call costs a clock read and an add. `release()`
 * lets the series go once it holds nothing (a per-request binding must be released, or it is kept for
 * good); calls after `release()` still record, the plain way.
 * @example
 * const orders = metrics.bindCount('orders', { tags: ['plan:pro'] });
 * orders.add(); orders.add(3);
 * orders.release();
 */
export interface BoundCount {
  add(value?: number): void;
  release(): void;
}
export interface BoundGauge {
  set(value: number): void;
  release(): void;
}
export interface BoundHistogram {
  record(value: number): void;
  release(): void;
}
export interface BoundDistribution {
  record(value: number): void;
  release(): void;
}
/** @deprecated Renamed {@link BoundCount} in 0.2. */
export type BoundCounter = BoundCount;

/** Options of a bound instrument: a bound series has no per-call timestamp. */
export type BindOptions = Omit<MetricOptions, 'timestamp'>;
