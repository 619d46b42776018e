import { Samples } from './samples.js';
import type { Series } from './series.js';

/** Metric kinds, as small integers so they fit into numeric series keys. */
export const KIND = { count: 0, gauge: 1, set: 2, histogram: 3, distribution: 4 } as const;
export type Kind = (typeof KIND)[keyof typeof KIND];

/** Distinct values per set series-bucket before further new values are dropped (counted). */
export const MAX_SET_SIZE = 10_000;

export type CellValue = number | Set<string> | Samples | number[];

/**
 * The per-type roll-up contract (create / record / merge, as in OpenTelemetry's aggregators).
 * `merge(a, b)` means "b was recorded after a". Duplicate timestamps collapse through the same merge,
 * within a flush and across flushes.
 */
export interface Rollup<V extends CellValue, In> {
  create(value: In): V;
  /** Folds one more value in; returns the new state (may mutate `state`). */
  record(state: V, value: In): V;
  merge(a: V, b: V): V;
}

export const countRollup: Rollup<number, number> = {
  create: (v) => v,
  record: (s, v) => s + v,
  merge: (a, b) => a + b,
};

export const gaugeRollup: Rollup<number, number> = {
  create: (v) => v,
  record: (_s, v) => v,
  merge: (_a, b) => b,
};

export const setRollup: Rollup<Set<string>, string> = {
  create: (v) => new Set([v]),
  record: (s, v) => (s.size < MAX_SET_SIZE || s.has(v) ? s.add(v) : s),
  merge: (a, b) => {
    const out = new Set(a);
    for (const v of b) if (out.size < MAX_SET_SIZE) out.add(v);
    return out;
  },
};

export const histogramRollup: Rollup<Samples, number> = {
  create: (v) => {
    const s = new Samples();
    s.add(v);
    return s;
  },
  record: (s, v) => {
    s.add(v);
    return s;
  },
  merge: (a, b) => {
    const out = new Samples();
    out.merge(a);
    out.merge(b);
    return out;
  },
};

export const distributionRollup: Rollup<number[], number> = {
  create: (v) => [v],
  record: (s, v) => {
    s.push(v);
    return s;
  },
  merge: (a, b) => a.concat(b),
};

/**
 * One series-bucket. `seq` counts changes, `sent` is the `seq` the backend is known to hold; the cell
 * is dirty while they differ. Counts, sets and histograms keep their merged value after a send so a
 * later point re-sends the bucket's total (the backend keeps the last write per timestamp).
 */
export class Cell {
  b: number;
  v: CellValue;
  seq = 1;
  sent = 0;
  /** Slot in the ledger's list for this bucket. */
  i = -1;
  readonly owner: Series;

  constructor(owner: Series, bucket: number, value: CellValue) {
    this.owner = owner;
    this.b = bucket;
    this.v = value;
  }
}

/** Pending points a cell holds: distribution values count one each, any other dirty cell one. */
export function pendingPoints(kind: Kind, cell: Cell): number {
  if (kind === KIND.distribution) return (cell.v as number[]).length;
  return cell.seq === cell.sent ? 0 : 1;
}

/** The roll-up of each kind, indexed by `KIND`. */
// biome-ignore lint/suspicious/noExplicitAny: the table is indexed by kind; each rollup checks its own input
export const ROLLUPS: readonly Rollup<any, any>[] = [
  countRollup,
  gaugeRollup,
  setRollup,
  histogramRollup,
  distributionRollup,
];
