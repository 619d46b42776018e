import type { Registry } from './registry.js';
import { type Cell, pendingPoints } from './rollup.js';
import type { Series } from './series.js';

/**
 * Every series-bucket record the client holds, sent or not: indexed by bucket so the oldest can be
 * evicted and aged-out ones expired, and counted (`retained` records, `pending` unsent points).
 */
export class Ledger {
  private readonly registry: Registry;
  private readonly buckets = new Map<number, Cell[]>();
  private readonly members = new Set<Series>();
  private sorted: Series[] | undefined;
  retained = 0;
  pending = 0;
  /** Newest bucket start ever evicted; points for absent records at or before it are refused. */
  evictedThrough = Number.NEGATIVE_INFINITY;

  constructor(registry: Registry) {
    this.registry = registry;
  }

  add(series: Series, cell: Cell): void {
    let list = this.buckets.get(cell.b);
    if (list === undefined) {
      list = [];
      this.buckets.set(cell.b, list);
    }
    cell.i = list.length; // swap-remove keeps removal O(1)
    list.push(cell);
    series.cells.push(cell);
    if (series.cells.length > 1) series.cells.sort((a, b) => a.b - b.b);
    this.retained++;
    if (!this.members.has(series)) {
      this.members.add(series);
      this.sorted = undefined;
    }
  }

  removeCell(series: Series, cell: Cell): void {
    const list = this.buckets.get(cell.b);
    if (list !== undefined && cell.i >= 0) {
      const last = list.pop()!;
      if (last !== cell) {
        list[cell.i] = last;
        last.i = cell.i;
      }
      if (list.length === 0) this.buckets.delete(cell.b);
    }
    cell.i = -1;
    const i = series.cells.indexOf(cell);
    if (i >= 0) series.cells.splice(i, 1);
    if (series.hot === cell) series.hot = undefined;
    this.retained--;
    if (series.cells.length === 0) {
      this.members.delete(series);
      this.sorted = undefined;
      this.registry.remove(series);
    }
  }

  oldestBucket(): number | undefined {
    let oldest: number | undefined;
    for (const b of this.buckets.keys()) if (oldest === undefined || b < oldest) oldest = b;
    return oldest;
  }

  /** Drops every record of one bucket. Returns the unsent points lost and the records removed. */
  evictBucket(bucket: number): { lost: number; records: number } {
    const list = this.buckets.get(bucket);
    if (bucket > this.evictedThrough) this.evictedThrough = bucket;
    if (list === undefined) return { lost: 0, records: 0 };
    return this.dropAll(list.slice());
  }

  /** Drops every bucket older than `oldestAllowed`; returns the unsent points lost. */
  expire(oldestAllowed: number): number {
    let lost = 0;
    for (const [b, list] of [...this.buckets]) if (b < oldestAllowed) lost += this.dropAll(list.slice()).lost;
    return lost;
  }

  private dropAll(cells: Cell[]): { lost: number; records: number } {
    let lost = 0;
    for (const cell of cells) {
      const series = cell.owner;
      const points = pendingPoints(series.kind, cell);
      lost += points;
      this.pending -= points;
      this.removeCell(series, cell);
    }
    return { lost, records: cells.length };
  }

  /** Series with at least one record, in a stable order (name, kind, host, tags). */
  sortedSeries(): readonly Series[] {
    if (this.sorted === undefined) this.sorted = [...this.members].sort(compareSeries);
    return this.sorted;
  }

  get seriesCount(): number {
    return this.members.size;
  }
}

function compareSeries(a: Series, b: Series): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  if (a.kind !== b.kind) return a.kind - b.kind;
  if (a.host !== b.host) return a.host < b.host ? -1 : 1;
  if (a.tags.json !== b.tags.json) return a.tags.json < b.tags.json ? -1 : 1;
  return 0;
}
