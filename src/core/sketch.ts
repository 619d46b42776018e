// A log-bucketed sketch of |v| per sign (the DDSketch idea: bins of geometric width γ), used by a
// histogram series-bucket past its exact limit. Any value returned for a rank is within ALPHA (1%) of the
// true sample at that rank, as long as one sign's samples span at most MAX_BINS bins: a max/min ratio of
// γ^MAX_BINS ≈ 4e35. Past that the lowest bins are folded into the lowest kept one (DDSketch's collapse),
// so only the smallest magnitudes lose accuracy. Exact zeros (and subnormals) have a bin of their own.

export const ALPHA = 0.01;
const GAMMA = (1 + ALPHA) / (1 - ALPHA);
const LOG_GAMMA = Math.log(GAMMA);
/** Below the smallest normal double, |v| counts as zero (its log would lose all precision). */
const MIN_NORMAL = 2.2250738585072014e-308;
export const MAX_BINS = 4096;

/** Bin counts for one sign over a contiguous key range: `counts[i]` is key `offset + i`. */
export class Bins {
  offset = 0;
  counts: Float64Array = new Float64Array(0);
  /** Sum of counts. */
  total = 0;

  add(key: number, n: number): void {
    this.cover(key);
    const i = Math.max(0, key - this.offset); // a key below the kept range folds into the lowest bin
    this.counts[i]! += n;
    this.total += n;
  }

  /** Grows (or recentres) the range so that `key` fits, collapsing the lowest keys past MAX_BINS. */
  private cover(key: number): void {
    const len = this.counts.length;
    if (len === 0) {
      this.counts = new Float64Array(16);
      this.offset = key - 8;
      return;
    }
    if (key >= this.offset && key < this.offset + len) return;
    const lo = Math.min(this.offset, key);
    const hi = Math.max(this.offset + len - 1, key);
    if (hi - lo + 1 > MAX_BINS) {
      // Keep the top MAX_BINS keys; everything below folds into the new lowest bin.
      const newOffset = hi - MAX_BINS + 1;
      const next = new Float64Array(MAX_BINS);
      for (let i = 0; i < len; i++) {
        const c = this.counts[i]!;
        if (c !== 0) next[Math.max(0, this.offset + i - newOffset)]! += c;
      }
      this.counts = next;
      this.offset = newOffset;
      return;
    }
    const size = Math.min(MAX_BINS, Math.max(hi - lo + 1, len * 2));
    // Leave the headroom on the side that grew.
    const newOffset = key < this.offset ? hi - size + 1 : lo;
    const next = new Float64Array(size);
    next.set(this.counts, this.offset - newOffset);
    this.counts = next;
    this.offset = newOffset;
  }

  merge(other: Bins): void {
    for (let i = 0; i < other.counts.length; i++) {
      const c = other.counts[i]!;
      if (c !== 0) this.add(other.offset + i, c);
    }
  }

  /** A copy trimmed to the keys in use. */
  compact(): Bins {
    const out = new Bins();
    let first = 0;
    let last = this.counts.length - 1;
    while (first <= last && this.counts[first] === 0) first++;
    while (last >= first && this.counts[last] === 0) last--;
    out.offset = this.offset + first;
    out.counts = this.counts.slice(first, last + 1);
    out.total = this.total;
    return out;
  }

  clone(): Bins {
    const out = new Bins();
    out.offset = this.offset;
    out.counts = this.counts.slice();
    out.total = this.total;
    return out;
  }
}

export function keyOf(magnitude: number): number {
  return Math.ceil(Math.log(magnitude) / LOG_GAMMA);
}

/** The value a bin stands for: within ALPHA of every magnitude in it. */
export function binValue(key: number): number {
  return (2 * GAMMA ** key) / (GAMMA + 1);
}

export class Sketch {
  pos = new Bins();
  neg = new Bins();
  zero = 0;

  add(v: number, n = 1): void {
    const m = Math.abs(v);
    if (m < MIN_NORMAL) this.zero += n;
    else (v > 0 ? this.pos : this.neg).add(keyOf(m), n);
  }

  merge(other: Sketch): void {
    this.pos.merge(other.pos);
    this.neg.merge(other.neg);
    this.zero += other.zero;
  }

  /** Value of the sample at 1-based `rank` in ascending order. */
  at(rank: number): number {
    let seen = 0;
    const neg = this.neg.counts;
    for (let i = neg.length - 1; i >= 0; i--) {
      seen += neg[i]!;
      if (seen >= rank && neg[i]! > 0) return -binValue(this.neg.offset + i);
    }
    seen += this.zero;
    if (seen >= rank) return 0;
    const pos = this.pos.counts;
    let last = 0;
    for (let i = 0; i < pos.length; i++) {
      if (pos[i]! === 0) continue;
      seen += pos[i]!;
      last = binValue(this.pos.offset + i);
      if (seen >= rank) return last;
    }
    return last;
  }

  compact(): Sketch {
    const out = new Sketch();
    out.pos = this.pos.compact();
    out.neg = this.neg.compact();
    out.zero = this.zero;
    return out;
  }

  clone(): Sketch {
    const out = new Sketch();
    out.pos = this.pos.clone();
    out.neg = this.neg.clone();
    out.zero = this.zero;
    return out;
  }

  /** Heap bytes held (estimate). */
  get bytes(): number {
    // Two typed arrays, each with its own objects and backing-store bookkeeping (~300 bytes, measured).
    return 160 + 2 * 400 + (this.pos.counts.length + this.neg.counts.length) * 8;
  }
}
