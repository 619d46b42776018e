import { type Budget, BYTES } from './budget.js';
import { Columns } from './columns.js';
import {
  ADDED,
  type Loss,
  MERGED,
  REFUSED_FLOOR,
  REFUSED_OVERFLOW,
  Rec,
  type StoreConfig,
  type StoreHooks,
} from './rec.js';
import type { Series } from './series.js';
import { shed, shedPending, shedRetained } from './shed.js';

/**
 * Every record the client holds: the newest per series inline, older pending ones on the series, sent
 * ones in `columns`; a dirty list of what changed since the last drain (a flush costs what changed, not
 * the hour behind it); the unsent-point count; the byte budget and what gives way when it is full.
 * Counters change only here, in the few transitions below (`audit()` recomputes them for tests).
 */
export class RecordStore {
  readonly cfg: StoreConfig;
  readonly budget: Budget;
  readonly columns: Columns;
  /** The aggregator's side of losses and forgetting (also used by shed.ts). */
  readonly hooks: StoreHooks;
  /** Records with pending points or an owed re-send, in the order they turned dirty (may hold stale ones). */
  dirty: Rec[] = [];
  /** Records sent while their bucket was open, still inline: moved to a column once it closed. */
  private committed: Rec[] = [];
  /** Series that hold nothing but a floor still inside the window. */
  idle: Series[] = [];
  /** Unsent points, in flight included. */
  pending = 0;
  /** Records (inline or in a column) keeping a sent state. */
  retained = 0;
  /**
   * Floor of the idle series forgotten to make room: a series created later starts with it, since its
   * forgotten twin's sent totals are unknown (only under memory pressure; it ages out with the window).
   */
  forgottenFloor = Number.NEGATIVE_INFINITY;
  /**
   * The oldest bucket start a drain allowed, ever: older buckets were expired, so a point for one without a
   * record is refused even if the clock later steps back (sent alone it could overwrite a stored total).
   */
  private expiredBefore = Number.NEGATIVE_INFINITY;

  constructor(cfg: StoreConfig, budget: Budget, hooks: StoreHooks) {
    this.cfg = cfg;
    this.budget = budget;
    this.hooks = hooks;
    this.columns = new Columns(budget);
  }

  /** Records one valid value. Returns ADDED, MERGED or a REFUSED_ code. */
  add(series: Series, bucket: number, value: number | string): number {
    const kind = series.kind;
    let rec = series.cur;
    if (rec === undefined || rec.b !== bucket) {
      rec = this.locate(series, bucket);
      if (rec === undefined) return REFUSED_FLOOR;
    }
    const fresh = rec.p === undefined;
    const existed = !fresh || rec.a !== undefined || rec.flying > 0;
    if (
      (kind.perValue || fresh) &&
      this.pending >= this.cfg.maxBufferedPoints &&
      !shedPending(this, bucket, rec)
    ) {
      this.tidy(rec);
      return REFUSED_OVERFLOW;
    }
    const grew = kind.add(rec, value);
    if (grew < 0) {
      this.tidy(rec);
      return grew;
    }
    // A set member already sent leaves `p` as it was: nothing new to send.
    if (rec.p === undefined) {
      if (rec.series.cur !== rec && rec.flying === 0 && !rec.echo) this.release(rec);
      return MERGED;
    }
    if (kind.perValue || fresh) this.pending++;
    if (!rec.queued) {
      rec.queued = true;
      this.dirty.push(rec);
    }
    if (grew > 0) {
      rec.bytes += grew;
      const budget = this.budget;
      budget.used += grew;
      if (budget.used > budget.max) shed(this, rec);
    }
    return existed ? MERGED : ADDED;
  }

  /** The record for (series, bucket), revived from a column or created; undefined below the floor. */
  private locate(series: Series, bucket: number): Rec | undefined {
    const found = series.older?.find((r) => r.b === bucket);
    if (found !== undefined) return found;
    let rec: Rec;
    const compact = series.columns > 0 ? this.columns.take(series, bucket) : undefined;
    if (compact !== undefined) {
      rec = new Rec(series, bucket);
      rec.a = compact;
      rec.bytes += series.kind.weighCompact(compact);
      this.budget.used += rec.bytes - BYTES.column - series.kind.weighCompact(compact);
    } else {
      if (bucket <= series.floor || bucket < this.expiredBefore) return undefined;
      rec = new Rec(series, bucket);
      this.budget.used += rec.bytes;
    }
    series.idle = false;
    const cur = series.cur;
    if (cur === undefined || bucket > cur.b) {
      series.cur = rec;
      if (cur !== undefined) this.retire(cur);
    } else this.toOlder(rec);
    return rec;
  }

  private toOlder(rec: Rec): void {
    const series = rec.series;
    if (series.older === undefined) series.older = [rec];
    else series.older.push(rec);
  }

  /** `rec` is no longer its series' newest record: it moves to a column, to `older`, or goes. */
  private retire(rec: Rec): void {
    if (rec.p !== undefined || rec.flying > 0 || rec.echo) this.toOlder(rec);
    else this.release(rec);
  }

  /** A record with nothing pending: its sent state goes to a column (it leaves the inline slot). */
  private release(rec: Rec): void {
    const a = rec.a;
    rec.a = undefined;
    // Into the column first: dropping the last record would otherwise unregister the series.
    if (a !== undefined) this.columns.put(rec.series, rec.b, a);
    this.drop(rec);
  }

  /** Removes a record; whatever it still held was accounted for by the caller. */
  drop(rec: Rec): void {
    if (rec.dead) return;
    rec.dead = true;
    const series = rec.series;
    this.budget.used -= rec.bytes;
    if (rec.a !== undefined) this.retained--;
    if (series.cur === rec) series.cur = undefined;
    else if (series.older !== undefined) {
      const i = series.older.indexOf(rec);
      if (i >= 0) series.older.splice(i, 1);
      if (series.older.length === 0) series.older = undefined;
    }
    this.tidySeries(series);
  }

  /** A record created for a point that was then refused must not linger. */
  private tidy(rec: Rec): void {
    if (rec.p === undefined && rec.a === undefined && rec.flying === 0 && !rec.echo) this.drop(rec);
  }

  /** Unregisters a series that holds nothing (kept while its floor still guards the window). */
  tidySeries(series: Series): void {
    if (series.cur !== undefined || series.older !== undefined || series.columns > 0 || series.pins > 0)
      return;
    if (series.floor === Number.NEGATIVE_INFINITY) this.hooks.forget(series);
    else if (!series.idle) {
      series.idle = true;
      this.idle.push(series);
    }
  }

  /** Counts points that will never reach the backend. */
  lostPoints(reason: Loss, points: number, series: Series): void {
    this.hooks.lost(reason, points, series);
  }

  /** Drops a record's pending points (counted) and, if nothing else holds it, the record. */
  losePending(rec: Rec, reason: Loss): void {
    if (rec.p === undefined) return;
    const kind = rec.series.kind;
    const points = kind.points(rec.p);
    const bytes = kind.weigh(rec.p);
    rec.p = undefined;
    rec.bytes -= bytes;
    this.budget.used -= bytes;
    this.pending -= points;
    this.lostPoints(reason, points, rec.series);
    if (rec.flying === 0 && !rec.echo && rec.a === undefined) this.drop(rec);
  }

  /** Forgets a record's sent state: later points for its bucket are refused (floor). */
  forgetSent(rec: Rec): void {
    if (rec.a === undefined) return;
    const bytes = rec.series.kind.weighCompact(rec.a);
    rec.a = undefined;
    rec.bytes -= bytes;
    this.budget.used -= bytes;
    this.retained--;
    if (rec.b > rec.series.floor) rec.series.floor = rec.b;
    rec.echo = false;
    if (rec.p === undefined && rec.flying === 0) this.drop(rec);
  }

  /** Lets go of a sent state kept only for owed re-sends (a kind that keeps nothing): no floor needed. */
  dropSent(rec: Rec): void {
    if (rec.a === undefined) return;
    const bytes = rec.series.kind.weighCompact(rec.a);
    rec.a = undefined;
    rec.bytes -= bytes;
    this.budget.used -= bytes;
    this.retained--;
  }

  /** A record's sent state, replaced (a send was acknowledged). Keeps `maxRetainedBuckets`. */
  setSent(rec: Rec, compact: unknown): void {
    const kind = rec.series.kind;
    const before = rec.a === undefined ? 0 : kind.weighCompact(rec.a);
    const after = kind.weighCompact(compact);
    if (rec.a === undefined) {
      if (this.retained >= this.cfg.maxRetainedBuckets)
        shedRetained(this, this.retained + 1 - this.cfg.maxRetainedBuckets);
      if (this.retained >= this.cfg.maxRetainedBuckets) {
        // Nothing older to give up: this one is not kept, and its bucket is closed to later points.
        if (rec.b > rec.series.floor) rec.series.floor = rec.b;
        this.hooks.evicted(1);
        return;
      }
      this.retained++;
    }
    rec.a = compact;
    rec.bytes += after - before;
    this.budget.used += after - before;
  }

  /** After a send was settled: a clean record moves to a column (closed bucket) or stays inline (open). */
  settled(rec: Rec, nowSeconds: number): void {
    if (rec.dead || rec.p !== undefined || rec.flying > 0) return;
    if (rec.echo) {
      if (!rec.queued) {
        rec.queued = true;
        this.dirty.push(rec);
      }
      return;
    }
    // Kept inline only while it holds a sent state its open bucket may still merge with.
    if (rec.a === undefined || rec.series.cur !== rec || rec.b + this.cfg.interval <= nowSeconds)
      this.release(rec);
    else this.committed.push(rec);
  }

  /** Before a drain: closed inline records go to columns, aged-out state goes, idle series are forgotten. */
  sweep(nowSeconds: number): void {
    const committed = this.committed;
    this.committed = [];
    for (const rec of committed) this.settled(rec, nowSeconds);
    const oldest = nowSeconds - this.cfg.maxPastSeconds;
    // Past a step back larger than the whole window no overwrite is possible (the backend's own window
    // drops one of the two writes), so the refusal would only lose data: start over.
    const window = this.cfg.maxPastSeconds + this.cfg.maxFutureSeconds;
    if (oldest > this.expiredBefore || this.expiredBefore - oldest > window) this.expiredBefore = oldest;
    this.retained -= this.columns.forget(
      () => false,
      oldest,
      (s) => this.tidySeries(s),
    );
    if (this.forgottenFloor < oldest) this.forgottenFloor = Number.NEGATIVE_INFINITY;
    const idle = this.idle;
    this.idle = [];
    for (const series of idle) {
      series.idle = false;
      if (series.floor < oldest) series.floor = Number.NEGATIVE_INFINITY;
      this.tidySeries(series);
    }
  }
}
