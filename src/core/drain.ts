import type { CoreConfig } from './config.js';
import type { Ledger } from './ledger.js';
import { type Cell, KIND, pendingPoints } from './rollup.js';
import { seriesEntries } from './serialize.js';
import type { Series } from './series.js';
import { bucketStart } from './window.js';

/** One series' share of a drain: the dirty cells, their change marks, and the wire entries. */
export interface DrainEntry {
  series: Series;
  cells: Cell[];
  seqs: number[];
  /** Distribution values taken per cell. */
  sizes: number[];
  /** Count totals as drained (an additive sink gets each delta once). */
  values: number[];
  json: string[];
  points: number;
}

export interface Drained {
  series: DrainEntry[];
  distributions: DrainEntry[];
  /** Unsent points that aged out of the window and were dropped by this drain. */
  expired: number;
}

/**
 * Takes what should be sent now: every dirty cell, or only closed buckets when `includeOpen` is false.
 * Nothing is cleared here: `commitEntry` marks what the backend acknowledged; anything not committed stays
 * dirty for the next drain.
 */
export function drainCells(
  ledger: Ledger,
  cfg: CoreConfig,
  nowSeconds: number,
  includeOpen: boolean,
  expired: number,
): Drained {
  const openFrom = includeOpen ? Number.POSITIVE_INFINITY : bucketStart(nowSeconds, cfg.interval);
  const out: Drained = { series: [], distributions: [], expired };
  for (const series of ledger.sortedSeries()) {
    let entry: DrainEntry | undefined;
    for (const cell of series.cells) {
      if (cell.seq === cell.sent || cell.b >= openFrom) continue;
      const size = series.kind === KIND.distribution ? (cell.v as number[]).length : 1;
      const value = series.kind === KIND.count ? (cell.v as number) : 0;
      // Arrays created with their first element: most entries hold one bucket (less flush garbage).
      if (entry === undefined) {
        entry = {
          series,
          cells: [cell],
          seqs: [cell.seq],
          sizes: [size],
          values: [value],
          json: [],
          points: size,
        };
        continue;
      }
      entry.cells.push(cell);
      entry.seqs.push(cell.seq);
      entry.sizes.push(size);
      entry.values.push(value);
      entry.points += size;
    }
    if (entry === undefined) continue;
    entry.json = seriesEntries(series, entry.cells, cfg);
    (series.kind === KIND.distribution ? out.distributions : out.series).push(entry);
  }
  return out;
}

/** Marks a drained entry as stored by the backend; drops the records that need not be kept. */
export function commitEntry(ledger: Ledger, entry: DrainEntry, retain: boolean, additive: boolean): void {
  const kind = entry.series.kind;
  const isDistribution = kind === KIND.distribution;
  for (let i = 0; i < entry.cells.length; i++) {
    const cell = entry.cells[i]!;
    // Evicted or expired while its request was in flight: the ledger no longer holds it.
    if (cell.i === -1) continue;
    const before = pendingPoints(kind, cell);
    if (isDistribution) (cell.v as number[]).splice(0, entry.sizes[i]);
    cell.sent = entry.seqs[i]!;
    if (isDistribution && (cell.v as number[]).length > 0) cell.sent = cell.seq - 1;
    if (additive && kind === KIND.count) (cell.v as number) -= entry.values[i]!;
    ledger.pending -= before - pendingPoints(kind, cell);
    if (!retain && cell.seq === cell.sent) ledger.removeCell(entry.series, cell);
  }
}
