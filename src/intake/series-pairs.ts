/** Points (or distribution values) of one element buffered in "write" mode: at most 1 MiB. */
export const MAX_BUFFERED_PAIRS = 65_536;

/**
 * The (timestamp, value) pairs of the element being read, as a flat Float64Array. In "check" mode it
 * only counts. In "write" mode it holds at most MAX_BUFFERED_PAIRS; past that it either hands a full
 * batch to `flush` (the element's identity is known: a replay) or stops keeping and sets `overflow`.
 */
export class PairBuffer {
  private pairs = new Float64Array(256);
  /** Pairs held (write mode) or seen (check mode) since the last reset or flush. */
  n = 0;
  overflow = false;

  constructor(
    private readonly keep: boolean,
    private readonly flush?: (pairs: Float64Array) => void,
  ) {}

  reset(): void {
    this.n = 0;
    this.overflow = false;
  }

  add(t: number, v: number): void {
    if (!this.keep) {
      this.n++;
      return;
    }
    if (this.n >= MAX_BUFFERED_PAIRS) {
      if (this.flush === undefined) {
        this.overflow = true;
        return;
      }
      this.flush(this.view());
      this.n = 0;
    }
    if ((this.n + 1) * 2 > this.pairs.length) {
      const grown = new Float64Array(this.pairs.length * 2);
      grown.set(this.pairs);
      this.pairs = grown;
    }
    this.pairs[this.n * 2] = t;
    this.pairs[this.n * 2 + 1] = v;
    this.n++;
  }

  /** The pairs held, as a view (valid until the next add). */
  view(): Float64Array {
    return this.pairs.subarray(0, this.n * 2);
  }
}
