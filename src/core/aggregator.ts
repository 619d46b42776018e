import type { MetricOptions } from '../types.js';
import { commitEntry, type DrainEntry, type Drained, drainCells } from './drain.js';
import { Ledger } from './ledger.js';
import { type ProblemSink, Registry } from './registry.js';
import { Cell, type CellValue, KIND, type Kind, MAX_SET_SIZE, ROLLUPS } from './rollup.js';
import type { Series } from './series.js';
import { bucketStart, inWindow, toSeconds } from './window.js';

export type { CoreConfig, CoreProblem, CoreStats } from './config.js';
export type { DrainEntry, Drained } from './drain.js';

import type { CoreConfig, CoreProblem, CoreStats } from './config.js';

/**
 * The pure core: series identity, buckets, the sent-record ledger, bounds and drain. Time is passed in;
 * no I/O, no timers. Every dropped point is counted in `stats` and reported through `problem`.
 */
export class Aggregator {
  readonly cfg: CoreConfig;
  readonly registry: Registry;
  readonly ledger: Ledger;
  readonly stats: CoreStats = {
    recorded: 0,
    merged: 0,
    dropped: { invalid: 0, outOfWindow: 0, expired: 0, overflow: 0, evicted: 0 },
    timestampsConverted: 0,
    evictedRecords: 0,
  };
  private readonly problem: (code: CoreProblem, detail: string) => void;

  constructor(cfg: CoreConfig, problem: (code: CoreProblem, detail: string) => void) {
    this.cfg = cfg;
    this.problem = problem;
    const registryProblem: ProblemSink = (code, detail) => {
      if (code === 'INVALID_NAME') this.stats.dropped.invalid++;
      problem(code, detail);
    };
    this.registry = new Registry(cfg.namespace, cfg.host, cfg.constantTags, registryProblem);
    this.ledger = new Ledger(this.registry);
  }

  /** Records one point. `value` must already be valid for `kind` (see `checkValue`). */
  record(
    kind: Kind,
    name: unknown,
    value: number | string,
    options: MetricOptions | undefined,
    nowMs: number,
  ): void {
    const bucket = this.bucketFor(options?.timestamp, nowMs);
    if (bucket === undefined) return;
    const series = this.registry.resolve(kind, name, options?.tags, options?.host);
    if (series !== undefined) this.recordInto(series, bucket, value);
  }

  /** The bucket of a point, or undefined (counted, reported) when its timestamp is unusable or out of window. */
  private bucketFor(ts: unknown, nowMs: number): number | undefined {
    const nowSeconds = nowMs / 1000;
    if (ts === undefined) return bucketStart(nowSeconds, this.cfg.interval);
    const t = toSeconds(ts);
    if (t === undefined) {
      this.stats.dropped.invalid++;
      this.problem('INVALID_TIMESTAMP', 'timestamp must be Unix seconds or a valid Date');
      return undefined;
    }
    if (t.converted) {
      this.stats.timestampsConverted++;
      this.problem('TIMESTAMP_MILLISECONDS', 'a timestamp in milliseconds was converted to seconds');
    }
    const bucket = bucketStart(t.seconds, this.cfg.interval);
    if (!inWindow(bucket, nowSeconds, this.cfg)) {
      this.stats.dropped.outOfWindow++;
      this.problem(
        'OUT_OF_WINDOW',
        `a point ${Math.round(t.seconds - nowSeconds)} s from now is outside the window`,
      );
      return undefined;
    }
    return bucket;
  }

  /** Resolves and pins a series for a bound instrument. */
  bind(kind: Kind, name: unknown, options: MetricOptions | undefined): Series | undefined {
    const series = this.registry.resolve(kind, name, options?.tags, options?.host);
    if (series !== undefined) series.pinned = true;
    return series;
  }

  recordBound(series: Series, value: number | string, nowMs: number): void {
    this.recordInto(series, bucketStart(nowMs / 1000, this.cfg.interval), value);
  }

  /** Counts an invalid value. */
  invalid(detail: string): void {
    this.stats.dropped.invalid++;
    this.problem('INVALID_VALUE', detail);
  }

  private recordInto(series: Series, bucket: number, value: number | string): void {
    const rollup = ROLLUPS[series.kind]!;
    let cell = series.hot;
    if (cell === undefined || cell.b !== bucket) cell = findCell(series, bucket);
    const ledger = this.ledger;
    if (cell !== undefined) {
      // A new distribution value, or a sent record turning dirty again, is one more unsent point.
      const adds = series.kind === KIND.distribution || cell.seq === cell.sent;
      if (adds && !this.makeRoom(bucket, 0, 1)) return;
      if (series.kind === KIND.set && setIsFull(cell.v as Set<string>, value as string)) {
        this.stats.dropped.overflow++;
        this.problem(
          'OVERFLOW',
          `a set series-bucket reached ${MAX_SET_SIZE} distinct values; new values dropped`,
        );
        return;
      }
      const next = rollup.record(cell.v, value) as CellValue;
      if (series.kind === KIND.count && !Number.isFinite(next)) {
        this.invalid('a count total would overflow to Infinity');
        return;
      }
      if (cell.seq === cell.sent || series.kind === KIND.distribution) ledger.pending++;
      cell.v = next;
      cell.seq++;
      this.stats.merged++;
    } else {
      // A point for a bucket whose record was evicted would, sent alone, overwrite the stored total.
      if (retainsRecords(series.kind, this.cfg.additive) && bucket <= ledger.evictedThrough) {
        this.stats.dropped.evicted++;
        this.problem(
          'EVICTED',
          'a point arrived for a bucket whose sent record was evicted (maxRetainedBuckets)',
        );
        this.forgetIfEmpty(series);
        return;
      }
      // Eviction may take this series' last record; it must stay registered (the ledger re-adds it below),
      // or the next call would create a second series with the same identity.
      const pinned = series.pinned;
      series.pinned = true;
      const room = this.makeRoom(bucket, 1, 1);
      series.pinned = pinned;
      if (!room) {
        this.forgetIfEmpty(series);
        return;
      }
      cell = new Cell(series, bucket, rollup.create(value) as CellValue);
      ledger.add(series, cell);
      ledger.pending++;
    }
    series.hot = cell;
    this.stats.recorded++;
  }

  /** A series created for a point that was then dropped must not linger (hostile input would grow it). */
  private forgetIfEmpty(series: Series): void {
    if (series.cells.length === 0) this.registry.remove(series);
  }

  /** Evicts older buckets until `records` more records and `points` more pending points fit. */
  private makeRoom(bucket: number, records: number, points: number): boolean {
    const ledger = this.ledger;
    const cfg = this.cfg;
    while (
      ledger.retained + records > cfg.maxRetainedBuckets ||
      ledger.pending + points > cfg.maxBufferedPoints
    ) {
      const oldest = ledger.oldestBucket();
      if (oldest === undefined || oldest >= bucket) {
        this.stats.dropped.overflow += points;
        this.problem(
          'OVERFLOW',
          'buffer full (maxBufferedPoints / maxRetainedBuckets): newest point dropped',
        );
        return false;
      }
      const { lost, records } = ledger.evictBucket(oldest);
      this.stats.evictedRecords += records;
      if (lost > 0) {
        this.stats.dropped.overflow += lost;
        this.problem('OVERFLOW', `buffer full: ${lost} unsent point(s) of the oldest bucket dropped`);
      }
    }
    return true;
  }

  /** See {@link drainCells}; drops aged-out buckets first (counted as expired). */
  drain(nowSeconds: number, includeOpen: boolean): Drained {
    const expired = this.ledger.expire(nowSeconds - this.cfg.maxPastSeconds);
    if (expired > 0) {
      this.stats.dropped.expired += expired;
      this.problem('EXPIRED', `${expired} unsent point(s) aged out of the window before they could be sent`);
    }
    return drainCells(this.ledger, this.cfg, nowSeconds, includeOpen, expired);
  }

  /** Marks a drained entry as stored by the backend. */
  commit(entry: DrainEntry): void {
    commitEntry(this.ledger, entry, retainsRecords(entry.series.kind, this.cfg.additive), this.cfg.additive);
  }
}

/**
 * Whether a sent series-bucket is kept for merging later points. Gauges (last value wins) and
 * distributions (only new values go out) need no record; an additive sink never gets a merged bucket again.
 */
function retainsRecords(kind: Kind, additive: boolean): boolean {
  return kind !== KIND.gauge && kind !== KIND.distribution && !additive;
}

function setIsFull(set: Set<string>, value: string): boolean {
  return set.size >= MAX_SET_SIZE && !set.has(value);
}

function findCell(series: Series, bucket: number): Cell | undefined {
  for (const cell of series.cells) if (cell.b === bucket) return cell;
  return undefined;
}
