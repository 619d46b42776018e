// One memory budget in bytes for everything the client keeps (DESIGN §11). Each part adds what it holds
// and takes it back when it lets go; the weights are estimates of V8 heap use, calibrated by
// test/core/memory.test.ts so that the real heap stays below the estimate.

/** Heap bytes of the fixed-size objects the core allocates (estimates; see memory.test.ts). */
export const BYTES = {
  /** A Series object. */
  series: 120,
  /** A record object (the newest bucket of a series, or one that is pending or in flight). */
  rec: 80,
  /** One retained record in a per-bucket column (map entry; the compact state is weighed apart). */
  column: 48,
  /** A name entry, plus its name's characters. */
  name: 120,
  /** A tag set, plus its JSON's characters. */
  tagSet: 96,
  /** One alias-cache entry, plus the raw input's characters. */
  alias: 64,
  /** One node of the tag alias trie. */
  trieNode: 96,
  /** A series on a non-default host: its index entry. */
  hostIndex: 72,
} as const;

/** Heap bytes of a string's characters (two per UTF-16 unit, the worst case). */
export const chars = (s: string): number => 16 + 2 * s.length;

export class Budget {
  used = 0;
  readonly max: number;

  constructor(max: number) {
    this.max = max;
  }

  get over(): boolean {
    return this.used > this.max;
  }
}
