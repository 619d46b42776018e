import { KIND, type KindId } from '../core/kinds/index.js';
import type {
  BindOptions,
  BoundCount,
  BoundDistribution,
  BoundGauge,
  BoundHistogram,
  EventOptions,
  FlushOptions,
  FlushReport,
  MetricOptions,
  MetricsStats,
  Tags,
} from '../types.js';
import { createTimed, type Timed } from './timed.js';

/** The metrics client. Metric calls never throw (unless `strict`); flushes reject with a MetricsError. */
export interface Metrics {
  /** Count: adds `value` (default 1) to the bucket. */
  increment(name: string, value?: number, options?: MetricOptions): void;
  /** Count: subtracts `value` (default 1). */
  decrement(name: string, value?: number, options?: MetricOptions): void;
  /** Gauge: the last value recorded in the bucket wins. */
  gauge(name: string, value: number, options?: MetricOptions): void;
  /** Histogram: aggregates (`.max`, `.median`, `.avg`, `.count`, `.95percentile` by default) per bucket. */
  histogram(name: string, value: number, options?: MetricOptions): void;
  /** A histogram of milliseconds. */
  timing(name: string, milliseconds: number, options?: MetricOptions): void;
  /** Distribution: every value is sent; percentiles are computed by Datadog. */
  distribution(name: string, value: number, options?: MetricOptions): void;
  /** Set: number of distinct values per bucket, sent as a gauge. */
  set(name: string, value: string | number, options?: MetricOptions): void;
  /** Queues an event for the next flush. */
  event(title: string, text?: string, options?: EventOptions): void;
  /** Times a function (sync or async) as a timing in ms; or, without a function, a method decorator. */
  timed: Timed;
  /** A count bound to one series: `add(n)` costs a clock read and an add. Release it when done. */
  bindCount(name: string, options?: BindOptions): BoundCount;
  bindGauge(name: string, options?: BindOptions): BoundGauge;
  bindHistogram(name: string, options?: BindOptions): BoundHistogram;
  bindDistribution(name: string, options?: BindOptions): BoundDistribution;
  /** @deprecated Renamed `bindCount` in 0.2. */
  counter(name: string, options?: BindOptions): BoundCount;
  /** @deprecated Renamed `bindGauge` in 0.2. */
  boundGauge(name: string, options?: BindOptions): BoundGauge;
  /** @deprecated Renamed `bindHistogram` in 0.2. */
  boundHistogram(name: string, options?: BindOptions): BoundHistogram;
  /** @deprecated Renamed `bindDistribution` in 0.2. */
  boundDistribution(name: string, options?: BindOptions): BoundDistribution;
  /**
   * A view of this client that adds `tags` to every call (metrics, bound instruments, events): per-request
   * dimensions without a second buffer. Flushing a view flushes the client.
   * @example
   * const perRequest = metrics.withTags({ route: '/cart' });
   * perRequest.increment('requests');
   */
  withTags(tags: Tags): Metrics;
  /** Sends everything buffered now, the open bucket included. Rejects with a FlushError on failure. */
  flush(options?: FlushOptions): Promise<FlushReport>;
  /** Stops the timer and flushes. */
  close(options?: FlushOptions): Promise<FlushReport>;
  /** Self-telemetry: what was recorded, merged, sent, dropped and why. */
  stats(): MetricsStats;
}

/** A series held for a bound instrument. */
export interface Binding {
  write(value: unknown): void;
  release(): void;
}

/** What every view of one client calls into. */
export interface Engine {
  record(kind: KindId, name: string, value: unknown, options: MetricOptions | undefined): void;
  bind(kind: KindId, name: string, options: BindOptions | undefined): Binding;
  event(title: string, text: string | undefined, options: EventOptions | undefined): void;
  flush(options?: FlushOptions): Promise<FlushReport>;
  close(options?: FlushOptions): Promise<FlushReport>;
  stats(): MetricsStats;
  /** Symbol-keyed hooks the integrations find on any view (error reporting, background flushes). */
  readonly hooks: Record<symbol, unknown>;
}

/** `tags` as `key:value` strings, in input order (normalized later, with everything else). */
function tagList(tags: Tags): string[] {
  if (Array.isArray(tags)) return tags.filter((t): t is string => typeof t === 'string');
  if (typeof tags !== 'object' || tags === null) return [];
  return Object.entries(tags as Record<string, unknown>).map(([k, v]) => `${k}:${String(v)}`);
}

/** Options with a view's tags in front of the call's own. */
function withExtra<O extends { tags?: Tags }>(extra: readonly string[], options: O | undefined): O {
  const own = options?.tags;
  // The same array every time: the series lookup's last-array shortcut applies.
  const tags = own === undefined ? extra : [...extra, ...tagList(own)];
  return { ...(options as O), tags };
}

/** The public methods over an engine; `extra` are the tags of a `withTags` view. */
export function metricsApi(engine: Engine, extra?: readonly string[]): Metrics {
  const o =
    extra === undefined
      ? <O extends { tags?: Tags }>(options: O | undefined) => options
      : <O extends { tags?: Tags }>(options: O | undefined) => withExtra(extra, options);
  const record = (kind: KindId, name: string, value: unknown, options: MetricOptions | undefined): void =>
    engine.record(kind, name, value, o(options));
  const bindCount = (name: string, options?: BindOptions): BoundCount => {
    const b = engine.bind(KIND.count, name, o(options));
    return { add: (value = 1) => b.write(value), release: () => b.release() };
  };
  const bindGauge = (name: string, options?: BindOptions): BoundGauge => {
    const b = engine.bind(KIND.gauge, name, o(options));
    return { set: (value) => b.write(value), release: () => b.release() };
  };
  const bindHistogram = (name: string, options?: BindOptions): BoundHistogram => {
    const b = engine.bind(KIND.histogram, name, o(options));
    return { record: (value) => b.write(value), release: () => b.release() };
  };
  const bindDistribution = (name: string, options?: BindOptions): BoundDistribution => {
    const b = engine.bind(KIND.distribution, name, o(options));
    return { record: (value) => b.write(value), release: () => b.release() };
  };
  const api: Metrics = {
    increment: (name, value = 1, options) => record(KIND.count, name, value, options),
    decrement: (name, value = 1, options) =>
      record(KIND.count, name, typeof value === 'number' ? -value : value, options),
    gauge: (name, value, options) => record(KIND.gauge, name, value, options),
    histogram: (name, value, options) => record(KIND.histogram, name, value, options),
    timing: (name, ms, options) => record(KIND.histogram, name, ms, options),
    distribution: (name, value, options) => record(KIND.distribution, name, value, options),
    set: (name, value, options) => record(KIND.set, name, value, options),
    event: (title, text, options) => engine.event(title, text, o(options)),
    timed: createTimed((name, ms, options) => record(KIND.histogram, name, ms, options)),
    bindCount,
    bindGauge,
    bindHistogram,
    bindDistribution,
    counter: bindCount,
    boundGauge: bindGauge,
    boundHistogram: bindHistogram,
    boundDistribution: bindDistribution,
    withTags: (tags) => metricsApi(engine, [...(extra ?? []), ...tagList(tags)]),
    flush: (options) => engine.flush(options),
    close: (options) => engine.close(options),
    stats: () => engine.stats(),
  };
  return Object.assign(api, engine.hooks);
}
