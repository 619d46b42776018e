// Histogram samples of one series-bucket: exact up to EXACT_LIMIT values, then a sketch (sketch.ts)
// whose percentiles stay within 1%. A sent record keeps the compact form (a sorted Float64Array or a
// trimmed sketch), not the growable sample list.
import { Sketch } from './sketch.js';

export const EXACT_LIMIT = 1000;

/** The histogram state a sent record keeps. */
export interface SamplesCompact {
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  /** Ascending, while exact. */
  readonly sorted: Float64Array | undefined;
  readonly sketch: Sketch | undefined;
}

export class Samples {
  count = 0;
  sum = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  /** Exact values while count ≤ EXACT_LIMIT; undefined once the sketch took over. */
  values: number[] | undefined = [];
  /** `values` is ascending: a bucket re-sent by every flush is not sorted again each time. */
  private sorted = true;
  sketch: Sketch | undefined;

  add(v: number): void {
    this.count++;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    const values = this.values;
    if (values !== undefined) {
      const n = values.length;
      if (n > 0 && v < values[n - 1]!) this.sorted = false;
      values.push(v);
      if (n + 1 > EXACT_LIMIT) this.toSketch();
    } else this.sketch!.add(v);
  }

  /** Folds `other` (recorded after this) in; `other` is left as it was. */
  merge(other: Samples): this {
    this.count += other.count;
    this.sum += other.sum;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
    if (this.values !== undefined && other.values !== undefined) {
      for (const v of other.values) this.values.push(v);
      this.sorted = false;
      if (this.values.length > EXACT_LIMIT) this.toSketch();
      return this;
    }
    if (this.values !== undefined) this.toSketch();
    if (other.values !== undefined) for (const v of other.values) this.sketch!.add(v);
    else this.sketch!.merge(other.sketch!);
    return this;
  }

  /** Nearest rank: `sorted[ceil(p * n) - 1]`; within 1% relative error past EXACT_LIMIT samples. */
  percentile(p: number): number {
    // Round away float noise first: 0.55 * 100 is 55.000000000000001, whose ceiling would be 56.
    const rank = Math.max(1, Math.ceil(Math.round(p * this.count * 1e9) / 1e9));
    if (this.values !== undefined) {
      if (!this.sorted) {
        this.values.sort((a, b) => a - b);
        this.sorted = true;
      }
      return this.values[rank - 1]!;
    }
    return Math.min(this.max, Math.max(this.min, this.sketch!.at(rank)));
  }

  /** Heap bytes held (estimate; a growable array keeps up to half again its length in spare room). */
  get bytes(): number {
    return 96 + (this.values !== undefined ? 16 + this.values.length * 12 : this.sketch!.bytes);
  }

  private toSketch(): void {
    const sketch = new Sketch();
    for (const v of this.values!) sketch.add(v);
    this.sketch = sketch;
    this.values = undefined;
  }

  /** The form a sent record keeps. */
  compact(): SamplesCompact {
    let sorted: Float64Array | undefined;
    if (this.values !== undefined) {
      sorted = Float64Array.from(this.values);
      if (!this.sorted) sorted.sort();
    }
    return {
      count: this.count,
      sum: this.sum,
      min: this.min,
      max: this.max,
      sorted,
      sketch: this.sketch?.compact(),
    };
  }

  /** A fresh, growable state holding the same samples as `c`. */
  static expand(c: SamplesCompact): Samples {
    const s = new Samples();
    s.count = c.count;
    s.sum = c.sum;
    s.min = c.min;
    s.max = c.max;
    if (c.sorted !== undefined) s.values = Array.from(c.sorted);
    else {
      s.values = undefined;
      s.sketch = c.sketch!.clone();
    }
    return s;
  }
}

/** A typed array's own objects and its backing store's bookkeeping, besides its bytes (measured). */
export const TYPED_ARRAY_BYTES = 400;

/** Heap bytes of a compact form (estimate). */
export function compactBytes(c: SamplesCompact): number {
  return 112 + (c.sorted !== undefined ? TYPED_ARRAY_BYTES + c.sorted.byteLength : c.sketch!.bytes);
}
