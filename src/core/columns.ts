import { type Budget, BYTES } from './budget.js';
import type { Series } from './series.js';

/**
 * Sent records that are kept for merging later points (DESIGN §2), stored by bucket: one map per bucket
 * start from series to the kind's compact state. A retained count costs one map entry and a number,
 * not an object. Oldest buckets go first when memory or `maxRetainedBuckets` asks for room; forgetting
 * a record raises its series' floor, so a later point for it is refused instead of overwriting the
 * stored total (per series, never for a whole bucket).
 */
export class Columns {
  private readonly byBucket = new Map<number, Map<Series, unknown>>();
  /** Bucket starts of `byBucket`, ascending. */
  private readonly order: number[] = [];
  private readonly budget: Budget;
  /** Entries over all buckets. */
  size = 0;

  constructor(budget: Budget) {
    this.budget = budget;
  }

  get(series: Series, bucket: number): unknown {
    return this.byBucket.get(bucket)?.get(series);
  }

  put(series: Series, bucket: number, compact: unknown): void {
    let column = this.byBucket.get(bucket);
    if (column === undefined) {
      column = new Map();
      this.byBucket.set(bucket, column);
      insertSorted(this.order, bucket);
      this.budget.used += COLUMN_BYTES;
    }
    column.set(series, compact);
    series.columns++;
    this.size++;
    this.budget.used += BYTES.column + series.kind.weighCompact(compact);
  }

  /** Takes an entry out (a later point revives it as a record). */
  take(series: Series, bucket: number): unknown {
    const column = this.byBucket.get(bucket);
    const compact = column?.get(series);
    if (column === undefined || compact === undefined) return undefined;
    this.remove(column, bucket, series, compact);
    return compact;
  }

  /** Oldest bucket start held, if any. */
  oldest(): number | undefined {
    return this.order[0];
  }

  /**
   * Forgets entries, oldest bucket first, while `more()` says so (or every entry of buckets before
   * `before`). Each forgotten record raises its series' floor. Returns the entries forgotten.
   */
  forget(more: () => boolean, before = Number.NEGATIVE_INFINITY, onEmpty?: (s: Series) => void): number {
    let n = 0;
    while (this.order.length > 0) {
      const bucket = this.order[0]!;
      const aged = bucket < before;
      const column = this.byBucket.get(bucket)!;
      for (const [series, compact] of column) {
        if (!aged && !more()) return n;
        this.remove(column, bucket, series, compact);
        if (bucket > series.floor) series.floor = bucket;
        n++;
        onEmpty?.(series);
      }
    }
    return n;
  }

  private remove(column: Map<Series, unknown>, bucket: number, series: Series, compact: unknown): void {
    column.delete(series);
    series.columns--;
    this.size--;
    this.budget.used -= BYTES.column + series.kind.weighCompact(compact);
    if (column.size === 0) {
      this.budget.used -= COLUMN_BYTES;
      this.byBucket.delete(bucket);
      this.order.splice(this.order.indexOf(bucket), 1);
    }
  }
}

/** One bucket's map and its place in `order` (estimate). */
const COLUMN_BYTES = 256;

function insertSorted(list: number[], value: number): void {
  let i = list.length;
  while (i > 0 && list[i - 1]! > value) i--;
  list.splice(i, 0, value);
}
