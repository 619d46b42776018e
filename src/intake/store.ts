import type { ReadItem } from './series-element.js';
import {
  contentBytes,
  type DistEntry,
  dropOldest,
  type Entry,
  emptyCounts,
  entryBytes,
  type SeriesEntry,
  TYPE_BIT,
  WEIGHT,
} from './store-entry.js';
import { EventLog } from './store-events.js';
import { NameTypes } from './store-names.js';
import { ReceivedView, type SnapshotHeader } from './store-view.js';
import type { IntakeCounts, IntakeUsage, ReceivedOptions, ReceivedSnapshot } from './types.js';

export { emptyCounts } from './store-entry.js';

export interface StoreLimits {
  maxSeries: number;
  /** Series points plus distribution values, over all series. */
  maxPoints: number;
  maxEvents: number;
  /** Estimated heap bytes of everything kept (series, points, values, events). */
  maxBytes: number;
}

/**
 * What the intake keeps, as Datadog keeps it: series keyed by (name, host, sorted tags) — not by
 * type — with one value per timestamp, the last one written (a count and a gauge of one name and
 * tags overwrite each other, as they do in Datadog); distributions keyed the same way with every
 * value per timestamp (Datadog adds distribution points up); the last events. A name seen with two
 * types is counted (`typeConflicts`) and flagged on its series.
 *
 * Writes cost O(points written). Memory is bounded by `maxSeries`, `maxPoints` and `maxBytes` (an
 * estimate of the heap held): past them the oldest point of the least recently written series goes
 * first (whole series past `maxSeries`), and events past an eighth of `maxBytes`. Evictions are counted.
 */
export class IntakeStore {
  private readonly entries = new Map<string, Entry>();
  private readonly names = new NameTypes();
  private readonly events = new EventLog();
  private points = 0;
  private bytes = 0;
  version = 0;
  /** Version at the last removal of a whole series (eviction or clear): readers of deltas start over. */
  resetAt = 0;
  readonly counts: IntakeCounts = emptyCounts();
  private readonly view: ReceivedView;

  constructor(
    readonly limits: StoreLimits,
    /** The request-body budget, shown in snapshots. */
    private readonly bodies: { readonly held: number; readonly limit: number } = { held: 0, limit: 0 },
  ) {
    this.view = new ReceivedView(this.names);
  }

  /** Stores series points (`item.pairs`); a later value for a timestamp replaces the stored one. */
  writeSeries(item: ReadItem, n: number): void {
    const e = this.entry('series', item) as SeriesEntry;
    e.type = item.type ?? 'unspecified';
    e.types |= TYPE_BIT[e.type];
    if (this.names.add(e.metric, e.type)) this.conflicted(e.metric);
    if (item.interval !== undefined) e.interval = item.interval;
    if (item.unit !== undefined && item.unit !== e.unit) {
      const delta = WEIGHT.string(item.unit) - (e.unit === undefined ? 0 : WEIGHT.string(e.unit));
      e.bytes += delta;
      this.bytes += delta;
      e.unit = item.unit;
    }
    const { pairs } = item;
    for (let i = 0; i < n; i++) {
      const t = pairs[i * 2]!;
      if (e.values.has(t)) e.overwrites++;
      else {
        e.size++;
        this.points++;
        this.bytes += WEIGHT.point;
      }
      e.values.set(t, pairs[i * 2 + 1]!);
    }
    e.writes += n;
    this.counts.storedPoints += n;
    this.trim();
  }

  /** Stores distribution values (`item.pairs`, one pair per value); every value is kept. */
  writeDistribution(item: ReadItem, n: number): void {
    const e = this.entry('distribution', item) as DistEntry;
    if (this.names.add(e.metric, 'distribution')) this.conflicted(e.metric);
    const { pairs } = item;
    for (let i = 0; i < n; i++) {
      const t = pairs[i * 2]!;
      const v = pairs[i * 2 + 1]!;
      let cell = e.cells.get(t);
      if (cell === undefined) {
        cell = { values: [], sum: 0, min: v, max: v };
        e.cells.set(t, cell);
        this.bytes += WEIGHT.cell;
      }
      cell.values.push(v);
      cell.sum += v;
      if (v < cell.min) cell.min = v;
      if (v > cell.max) cell.max = v;
    }
    e.size += n;
    e.writes += n;
    this.points += n;
    this.bytes += n * WEIGHT.value;
    this.counts.storedPoints += n;
    this.trim();
  }

  /** Keeps an event; `bytes` is the size of its JSON text. */
  addEvent(event: Record<string, unknown>, bytes: number): void {
    this.bytes += this.events.push(event, WEIGHT.event + 2 * bytes);
    this.version++;
    while (
      this.events.length > this.limits.maxEvents ||
      (this.events.length > 0 && this.events.bytes > this.limits.maxBytes / 8)
    )
      this.dropEvent();
  }

  clear(): void {
    this.entries.clear();
    this.names.clear();
    this.events.clear();
    this.points = 0;
    this.bytes = 0;
    Object.assign(this.counts, emptyCounts()); // in place: handlers mid-request hold this object
    this.resetAt = ++this.version;
  }

  usage(): IntakeUsage {
    return {
      series: this.entries.size,
      points: this.points,
      events: this.events.length,
      bytes: this.bytes,
      bodyBytes: this.bodies.held,
    };
  }

  /** Everything, or with `since` only the series written after that version (a delta for the page). */
  snapshot(nowSeconds: number, since = -1, options: ReceivedOptions = {}): ReceivedSnapshot {
    return this.view.snapshot(this.header(nowSeconds, since), this.entries.values(), options);
  }

  /** The snapshot as JSON text pieces, one series at a time (`GET /api/received` streams them). */
  snapshotJson(nowSeconds: number, since = -1, options: ReceivedOptions = {}): Iterable<string> {
    // A copy of the list (not of the series): writes while the answer streams do not disturb it.
    return this.view.json(this.header(nowSeconds, since), [...this.entries.values()], options);
  }

  private header(nowSeconds: number, since: number): SnapshotHeader {
    return {
      since,
      now: nowSeconds,
      version: this.version,
      resetAt: this.resetAt,
      counts: structuredClone(this.counts),
      events: this.events.all(),
      usage: this.usage(),
      limits: { ...this.limits, maxBodyBytes: this.bodies.limit },
    };
  }

  /** A name just got its second type: counted, and its other series are marked changed (for deltas). */
  private conflicted(metric: string): void {
    this.counts.typeConflicts++;
    for (const e of this.entries.values()) if (e.metric === metric) e.version = this.version;
  }

  /** The entry for an item, created if new, moved to the most-recently-written end. */
  private entry(kind: Entry['kind'], item: ReadItem): Entry {
    this.version++;
    const key = `${kind}:${JSON.stringify([item.metric, item.host, item.tags])}`;
    let e = this.entries.get(key);
    if (e === undefined) {
      while (this.entries.size >= this.limits.maxSeries)
        this.removeEntry(this.entries.values().next().value!);
      const base = {
        key,
        metric: item.metric,
        host: item.host,
        tags: item.tags,
        size: 0,
        writes: 0,
        bytes: 0,
        version: 0,
      };
      e =
        kind === 'series'
          ? { ...base, kind, type: 'unspecified', types: 0, values: new Map(), overwrites: 0 }
          : { ...base, kind, cells: new Map() };
      e.bytes = entryBytes(e);
      this.bytes += e.bytes + this.names.ref(e.metric);
    } else this.entries.delete(key);
    e.version = this.version;
    this.entries.set(key, e);
    return e;
  }

  private removeEntry(e: Entry): void {
    this.entries.delete(e.key);
    this.resetAt = this.version;
    this.points -= e.size;
    const freed = e.bytes + this.names.unref(e.metric) + contentBytes(e);
    this.bytes -= freed;
    this.counts.evicted.series++;
    this.counts.evicted.points += e.size;
    this.counts.evicted.bytes += freed;
  }

  private dropEvent(): void {
    const freed = this.events.shift();
    this.bytes -= freed;
    this.counts.evicted.events++;
    this.counts.evicted.bytes += freed;
  }

  /** Drops the oldest points of the least recently written series until under `maxPoints` and `maxBytes`. */
  private trim(): void {
    while (this.points > this.limits.maxPoints || this.bytes > this.limits.maxBytes) {
      if (this.events.bytes > this.limits.maxBytes / 8) {
        this.dropEvent();
        continue;
      }
      const e = this.entries.values().next().value;
      if (e === undefined) return;
      const { n, freed } = dropOldest(e);
      e.version = this.version;
      this.points -= n;
      this.bytes -= freed;
      this.counts.evicted.points += n;
      this.counts.evicted.bytes += freed;
      if (e.size <= 0) this.removeEntry(e);
    }
  }
}
