// Histogram samples of one series-bucket: exact up to EXACT_LIMIT values, then a log-bucketed
// sketch (relative accuracy 0.5%, so percentiles stay within 1%) with bounded memory.

export const EXACT_LIMIT = 1000;
const ALPHA = 0.005;
const GAMMA = (1 + ALPHA) / (1 - ALPHA);
const LOG_GAMMA = Math.log(GAMMA);
const MIN_MAGNITUDE = 1e-9;
const MAX_BINS = 4096;

/** Log-bucketed counts for |v| per sign; `zero` holds |v| < MIN_MAGNITUDE. */
class Sketch {
  readonly pos = new Map<number, number>();
  readonly neg = new Map<number, number>();
  zero = 0;

  add(v: number, n = 1): void {
    const m = Math.abs(v);
    if (m < MIN_MAGNITUDE) {
      this.zero += n;
      return;
    }
    const bins = v > 0 ? this.pos : this.neg;
    const key = Math.ceil(Math.log(m) / LOG_GAMMA);
    bins.set(key, (bins.get(key) ?? 0) + n);
    if (bins.size > MAX_BINS) collapseLowest(bins);
  }

  merge(other: Sketch): void {
    for (const [k, n] of other.pos) this.pos.set(k, (this.pos.get(k) ?? 0) + n);
    for (const [k, n] of other.neg) this.neg.set(k, (this.neg.get(k) ?? 0) + n);
    this.zero += other.zero;
    while (this.pos.size > MAX_BINS) collapseLowest(this.pos);
    while (this.neg.size > MAX_BINS) collapseLowest(this.neg);
  }

  /** Value of the sample at 1-based `rank` in ascending order. */
  at(rank: number): number {
    let seen = 0;
    const negKeys = [...this.neg.keys()].sort((a, b) => b - a);
    for (const k of negKeys) {
      seen += this.neg.get(k)!;
      if (seen >= rank) return -binValue(k);
    }
    seen += this.zero;
    if (seen >= rank) return 0;
    const posKeys = [...this.pos.keys()].sort((a, b) => a - b);
    for (const k of posKeys) {
      seen += this.pos.get(k)!;
      if (seen >= rank) return binValue(k);
    }
    return posKeys.length > 0 ? binValue(posKeys[posKeys.length - 1]!) : 0;
  }
}

function binValue(key: number): number {
  return (2 * GAMMA ** key) / (GAMMA + 1);
}

function collapseLowest(bins: Map<number, number>): void {
  const keys = [...bins.keys()].sort((a, b) => a - b);
  const [lo, next] = keys;
  if (lo === undefined || next === undefined) return;
  bins.set(next, bins.get(next)! + bins.get(lo)!);
  bins.delete(lo);
}

/** Samples of one histogram series-bucket. */
export class Samples {
  count = 0;
  sum = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  /** Exact values while count ≤ EXACT_LIMIT; undefined once the sketch took over. */
  values: number[] | undefined = [];
  /** `values` is in ascending order: a bucket re-sent by every flush is not sorted again each time. */
  private sorted = true;
  sketch: Sketch | undefined;

  add(v: number): void {
    this.count++;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    if (this.values !== undefined) {
      const n = this.values.length;
      if (n > 0 && v < this.values[n - 1]!) this.sorted = false;
      this.values.push(v);
      if (this.values.length > EXACT_LIMIT) this.toSketch();
    } else this.sketch!.add(v);
  }

  merge(other: Samples): void {
    this.count += other.count;
    this.sum += other.sum;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
    if (this.values !== undefined && other.values !== undefined) {
      for (const v of other.values) this.values.push(v);
      this.sorted = false;
      if (this.values.length > EXACT_LIMIT) this.toSketch();
      return;
    }
    if (this.values !== undefined) this.toSketch();
    if (other.values !== undefined) for (const v of other.values) this.sketch!.add(v);
    else this.sketch!.merge(other.sketch!);
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

  private toSketch(): void {
    const sketch = new Sketch();
    for (const v of this.values!) sketch.add(v);
    this.sketch = sketch;
    this.values = undefined;
  }
}
