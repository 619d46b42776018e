import type { MetricOptions } from '../types.js';
import { Budget } from './budget.js';
import type { CoreConfig, CoreDropped, CoreProblem, CoreProblemSink, CoreStats } from './config.js';
import { Drainer } from './drain.js';
import { type KindId, type KindOps, kindsFor } from './kinds/index.js';
import { REFUSED_FULL, REFUSED_INVALID } from './kinds/kind.js';
import type { Drained, Entry, Outcome } from './piece.js';
import { type Loss, MERGED, REFUSED_FLOOR, REFUSED_OVERFLOW } from './rec.js';
import { RecordStore } from './records.js';
import { Registry } from './registry.js';
import { v1Format, v2Format, type WireFormat } from './serialize.js';
import type { Series } from './series.js';
import { bucketStart, inWindow, toSeconds } from './window.js';

export type { CoreConfig, CoreProblem, CoreStats } from './config.js';
export type { Drained, Entry, Outcome } from './piece.js';

const LOSS_CODE: Record<Loss, CoreProblem | undefined> = {
  overflow: 'OVERFLOW',
  expired: 'EXPIRED',
  outOfWindow: 'OUT_OF_WINDOW',
  // Refusals are reported by the flush with the intake's answer; invalid values where they were refused.
  rejected: undefined,
  invalid: 'INVALID_VALUE',
};

const LOSS_MESSAGE: Record<Loss, string> = {
  overflow: 'buffer full (maxBufferedPoints / maxMemoryBytes): unsent points of the oldest buckets dropped',
  expired: 'unsent points aged out of the window before they could be sent',
  outOfWindow: 'points more than maxFutureSeconds ahead at send time (the clock stepped back) were dropped',
  rejected: '',
  invalid: 'a non-finite aggregate was not sent',
};

/**
 * The pure core: series identity, records, the memory budget and drain. Time is passed in; no I/O, no
 * timers. Every dropped point is counted in `stats.dropped` by reason and reported through `problem`.
 */
export class Aggregator {
  readonly cfg: CoreConfig;
  readonly budget: Budget;
  readonly kinds: readonly KindOps[];
  readonly registry: Registry;
  readonly store: RecordStore;
  private readonly drainer: Drainer;
  /** How series go on the wire (v1 or v2): their path and request size. */
  readonly format: WireFormat;
  readonly stats: CoreStats = {
    recorded: 0,
    merged: 0,
    dropped: { invalid: 0, outOfWindow: 0, expired: 0, overflow: 0, evicted: 0, rejected: 0, collision: 0 },
    timestampsConverted: 0,
    evictedRecords: 0,
    resent: 0,
  };
  private readonly problem: CoreProblemSink;

  constructor(cfg: CoreConfig, problem: CoreProblemSink) {
    this.cfg = cfg;
    this.problem = problem;
    this.budget = new Budget(cfg.maxMemoryBytes);
    this.kinds = kindsFor(cfg);
    this.registry = new Registry(
      cfg.namespace,
      cfg.host,
      cfg.constantTags,
      problem,
      this.budget,
      () => this.store.forgottenFloor,
    );
    this.store = new RecordStore(cfg, this.budget, {
      lost: (reason, points, series) => {
        this.stats.dropped[reason] += points;
        const code = LOSS_CODE[reason];
        if (code !== undefined) problem(code, LOSS_MESSAGE[reason], series.name);
      },
      evicted: (n) => {
        this.stats.evictedRecords += n;
      },
      forget: (series) => this.registry.remove(series),
      shedCaches: () => this.registry.clearAliases(),
    });
    this.format = cfg.apiVersion === 2 ? v2Format(cfg.interval, cfg.units) : v1Format(cfg.interval);
    this.drainer = new Drainer(this.store, cfg, this.format, {
      invalid: (series) => this.store.lostPoints('invalid', 1, series),
      resent: (points) => {
        this.stats.resent += points;
      },
    });
  }

  /** Records one point. `value` must already be valid for its kind (a finite number, a set member). */
  record(
    kind: KindId,
    name: unknown,
    value: number | string,
    options: MetricOptions | undefined,
    nowMs: number,
  ): void {
    const bucket = this.bucketFor(options?.timestamp, nowMs, name);
    if (bucket === undefined) return;
    const series = this.registry.resolve(this.kinds[kind]!, name, options?.tags, options?.host);
    if (series !== undefined) this.recordInto(series, bucket, value);
    else this.stats.dropped[this.registry.refused]++;
  }

  /** The bucket of a point, or undefined (counted, reported) when its timestamp is unusable or out of window. */
  private bucketFor(ts: unknown, nowMs: number, name: unknown): number | undefined {
    const nowSeconds = nowMs / 1000;
    if (ts === undefined && Number.isFinite(nowSeconds)) return bucketStart(nowSeconds, this.cfg.interval);
    const metric = typeof name === 'string' ? name.slice(0, 200) : undefined;
    if (!Number.isFinite(nowSeconds)) {
      this.stats.dropped.invalid++;
      this.problem('INVALID_TIMESTAMP', 'the clock returned a non-finite time: point dropped', metric);
      return undefined;
    }
    if (ts === undefined) return bucketStart(nowSeconds, this.cfg.interval);
    const t = toSeconds(ts);
    if (t === undefined) {
      this.stats.dropped.invalid++;
      this.problem('INVALID_TIMESTAMP', 'timestamp must be Unix seconds or a valid Date', metric);
      return undefined;
    }
    if (t.converted) {
      this.stats.timestampsConverted++;
      this.problem('TIMESTAMP_MILLISECONDS', 'a timestamp in milliseconds was converted to seconds', metric);
    }
    const bucket = bucketStart(t.seconds, this.cfg.interval);
    if (!inWindow(bucket, nowSeconds, this.cfg)) {
      this.stats.dropped.outOfWindow++;
      this.problem(
        'OUT_OF_WINDOW',
        `a point ${Math.round(t.seconds - nowSeconds)} s from now is outside the window`,
        metric,
      );
      return undefined;
    }
    return bucket;
  }

  /** Resolves and holds a series for a bound instrument (until `unbind`); undefined (nothing counted) when it cannot. */
  bind(kind: KindId, name: unknown, options: MetricOptions | undefined): Series | undefined {
    const series = this.registry.resolve(this.kinds[kind]!, name, options?.tags, options?.host);
    if (series !== undefined) series.pins++;
    return series;
  }

  /** Lets go of a bound series: it is forgotten once it holds nothing. */
  unbind(series: Series): void {
    if (series.pins === 0) return;
    series.pins--;
    this.store.tidySeries(series);
  }

  recordBound(series: Series, value: number | string, nowMs: number): void {
    const nowSeconds = nowMs / 1000;
    if (!Number.isFinite(nowSeconds)) {
      this.bucketFor(undefined, nowMs, series.name);
      return;
    }
    this.recordInto(series, bucketStart(nowSeconds, this.cfg.interval), value);
  }

  /** Counts an invalid value. */
  invalid(detail: string, metric?: string): void {
    this.stats.dropped.invalid++;
    this.problem('INVALID_VALUE', detail, metric);
  }

  private recordInto(series: Series, bucket: number, value: number | string): void {
    const result = this.store.add(series, bucket, value);
    if (result > 0) {
      this.stats.recorded++;
      if (result === MERGED) this.stats.merged++;
      return;
    }
    const metric = series.name;
    if (result === REFUSED_INVALID)
      this.invalid('the series-bucket total would not be a finite number', metric);
    else if (result === REFUSED_FULL) {
      this.stats.dropped.overflow++;
      this.problem(
        'OVERFLOW',
        'a set series-bucket reached its distinct-member limit; new members dropped',
        metric,
      );
    } else if (result === REFUSED_FLOOR) {
      this.stats.dropped.evicted++;
      this.problem(
        'EVICTED',
        'a point arrived for a bucket whose sent record was forgotten (memory or window); sent alone it would overwrite the stored total',
        metric,
      );
    } else if (result === REFUSED_OVERFLOW) {
      this.stats.dropped.overflow++;
      this.problem('OVERFLOW', 'buffer full (maxBufferedPoints): newest point dropped', metric);
    }
    this.store.tidySeries(series);
  }

  /**
   * What should be sent now: every dirty record, or only closed buckets when `includeOpen` is false.
   * Nothing is cleared here: `settle` records what each request did.
   */
  drain(nowSeconds: number, includeOpen: boolean): Drained & { lost: number } {
    if (!Number.isFinite(nowSeconds)) {
      this.problem('INVALID_TIMESTAMP', 'the clock returned a non-finite time: nothing was sent');
      return { series: [], distributions: [], lost: 0 };
    }
    const before = lostCount(this.stats.dropped);
    const drained = this.drainer.drain(nowSeconds, includeOpen);
    return { ...drained, lost: lostCount(this.stats.dropped) - before };
  }

  /**
   * Records how a request ended for a drained entry; `copies`: earlier attempts of it that may have been
   * stored too (an added-up value is then counted in `resent` once per copy).
   */
  settle(entry: Entry, outcome: Outcome, nowSeconds: number, copies = 0): void {
    this.drainer.settle(entry, outcome, nowSeconds, copies);
  }

  /** Halves an entry a 413 refused; undefined when it cannot be split further. */
  split(entry: Entry): [Entry, Entry] | undefined {
    return this.drainer.split(entry);
  }

  /** Unsent points (in flight included). */
  get pending(): number {
    return this.store.pending;
  }

  /** Bytes the client holds (estimate), against `maxMemoryBytes`. */
  get memoryBytes(): number {
    return this.budget.used;
  }

  /** Records kept for merging later points. */
  get retained(): number {
    return this.store.retained;
  }
}

function lostCount(d: CoreDropped): number {
  return d.expired + d.outOfWindow + d.overflow + d.invalid;
}
