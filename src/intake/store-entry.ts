import type { IntakeCounts, SeriesType } from './types.js';

// What the store holds per series, and what each part weighs. The weights are estimates of V8's heap
// (64-bit, no pointer compression) a little on the high side, so `maxBytes` bounds the real heap:
// test/intake/memory.test.ts checks them against a measured heap.

interface EntryBase {
  /** `series:` or `distribution:` + JSON of [metric, host, tags]: unambiguous whatever the tags hold. */
  key: string;
  metric: string;
  host: string;
  /** Sorted, de-duplicated. */
  tags: string[];
  /** Points (series) or values (distribution) held. */
  size: number;
  /** Points or values written, overwrites and evicted ones included. */
  writes: number;
  /** Weight of the entry itself (identity strings, maps), not of its points. */
  bytes: number;
  version: number;
}

export interface SeriesEntry extends EntryBase {
  kind: 'series';
  /** Type of the last write. */
  type: SeriesType;
  /** Every type written to this series (TYPE_BIT). */
  types: number;
  interval?: number;
  unit?: string;
  /** Insertion-ordered: the first key is the oldest point. */
  values: Map<number, number>;
  overwrites: number;
}

/** Every value received for one distribution series and timestamp, with its running sum, min and max. */
export interface DistCell {
  values: number[];
  sum: number;
  min: number;
  max: number;
}

export interface DistEntry extends EntryBase {
  kind: 'distribution';
  cells: Map<number, DistCell>;
}

export type Entry = SeriesEntry | DistEntry;

export type StoredType = SeriesType | 'distribution';
/** `unspecified` (v2 type 0) asserts no type: it never conflicts with another. */
export const TYPE_BIT: Record<StoredType, number> = {
  count: 1,
  rate: 2,
  gauge: 4,
  distribution: 8,
  unspecified: 16,
};
export const CONFLICTING_BITS = 1 | 2 | 4 | 8;
export const TYPE_NAMES = Object.keys(TYPE_BIT) as StoredType[];

const TWO_BYTE = /[\u0100-\uffff]/;

export const WEIGHT = {
  /** A string: header, then one byte a character (Latin-1 only) or two. */
  string: (s: string): number => 24 + (TWO_BYTE.test(s) ? 2 : 1) * s.length,
  /** Entry object, its (small) Map, its slot in the store's Map, the key string's header. */
  entry: 760,
  /** One series point: a Map entry plus a heap number. */
  point: 64,
  /** One distribution timestamp: a Map entry, the cell and its array. */
  cell: 160,
  /** One distribution value in a growing array (growth slack included). */
  value: 12,
  /** One event besides its JSON text (counted twice: the parsed object). */
  event: 200,
  /** One metric name's type record. */
  name: 120,
} as const;

/** Weight of what an entry holds: its points, or its timestamps and values. */
export function contentBytes(e: Entry): number {
  if (e.kind === 'series') return e.size * WEIGHT.point;
  return e.cells.size * WEIGHT.cell + e.size * WEIGHT.value;
}

/** Removes the oldest point (series) or timestamp (distribution) of `e`: how many points, what weight. */
export function dropOldest(e: Entry): { n: number; freed: number } {
  if (e.kind === 'series') {
    const t = e.values.keys().next().value!;
    e.values.delete(t);
    e.size--;
    return { n: 1, freed: WEIGHT.point };
  }
  const [t, cell] = e.cells.entries().next().value!;
  e.cells.delete(t);
  e.size -= cell.values.length;
  return { n: cell.values.length, freed: WEIGHT.cell + cell.values.length * WEIGHT.value };
}

export function entryBytes(e: Entry): number {
  let n = WEIGHT.entry + WEIGHT.string(e.key) + WEIGHT.string(e.metric) + WEIGHT.string(e.host) + 16;
  for (const t of e.tags) n += 8 + WEIGHT.string(t);
  return n;
}

export function emptyCounts(): IntakeCounts {
  return {
    requests: 0,
    accepted: 0,
    rejected: {},
    rejectedSeries: 0,
    ignoredPoints: { past: 0, future: 0 },
    storedPoints: 0,
    typeConflicts: 0,
    evicted: { series: 0, points: 0, events: 0, bytes: 0 },
    faulted: 0,
    bytesIn: 0,
    bytesDecoded: 0,
    byPath: {},
  };
}
