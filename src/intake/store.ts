import type { IntakeCounts, ReceivedSnapshot, SeriesType } from './types.js';

/** Identity of a series as parsed from a payload (tags already sorted and de-duplicated). */
export interface SeriesId {
  metric: string;
  host: string;
  tags: string[];
}

interface Entry extends SeriesId {
  key: string;
  /** undefined for a distribution. */
  type: SeriesType | undefined;
  interval?: number;
  /** Insertion-ordered: the first key is the oldest point. */
  values: Map<number, number> | Map<number, number[]>;
  size: number;
  writes: number;
  overwrites: number;
  version: number;
}

export interface StoreLimits {
  maxSeries: number;
  /** Series points plus distribution values, over all series. */
  maxPoints: number;
  maxEvents: number;
}

export function emptyCounts(): IntakeCounts {
  return {
    requests: 0,
    accepted: 0,
    rejected: {},
    ignoredPoints: { past: 0, future: 0 },
    storedPoints: 0,
    evicted: { series: 0, points: 0, events: 0 },
    faulted: 0,
    bytesIn: 0,
    bytesDecoded: 0,
    byPath: {},
  };
}

/**
 * What the intake keeps: a last-write-wins value per series and timestamp, every distribution value,
 * the last events. Writes cost O(points written); memory is bounded by evicting the oldest point of
 * the least recently written series (and whole series past `maxSeries`). Only `snapshot()` walks it all.
 */
export class IntakeStore {
  private entries = new Map<string, Entry>();
  private events: Record<string, unknown>[] = [];
  private points = 0;
  version = 0;
  /** Version at the last removal of a whole series (eviction or clear): readers of deltas start over. */
  resetAt = 0;
  readonly counts: IntakeCounts = emptyCounts();

  constructor(private readonly limits: StoreLimits) {}

  /** Stores series points; a later point for a timestamp replaces the stored one. */
  writeSeries(
    id: SeriesId,
    type: SeriesType,
    interval: number | undefined,
    points: [number, number][],
  ): void {
    const e = this.entry(`${type}|${id.metric}|${id.host}|${id.tags.join(',')}`, id, type);
    if (interval !== undefined) e.interval = interval;
    const values = e.values as Map<number, number>;
    for (const [t, v] of points) {
      if (values.has(t)) e.overwrites++;
      else {
        e.size++;
        this.points++;
      }
      values.set(t, v);
      e.writes++;
    }
    this.counts.storedPoints += points.length;
    this.trim();
  }

  /** Stores distribution values; every value is kept. */
  writeDistribution(id: SeriesId, points: [number, number[]][]): void {
    const e = this.entry(`distribution|${id.metric}|${id.host}|${id.tags.join(',')}`, id, undefined);
    const values = e.values as Map<number, number[]>;
    for (const [t, vs] of points) {
      const list = values.get(t);
      if (list === undefined) values.set(t, [...vs]);
      else for (const v of vs) list.push(v);
      e.size += vs.length;
      e.writes += vs.length;
      this.points += vs.length;
      this.counts.storedPoints += vs.length;
    }
    this.trim();
  }

  addEvent(event: Record<string, unknown>): void {
    this.events.push(event);
    this.version++;
    if (this.events.length > this.limits.maxEvents) {
      this.events.shift();
      this.counts.evicted.events++;
    }
  }

  clear(): void {
    this.entries.clear();
    this.events = [];
    this.points = 0;
    Object.assign(this.counts, emptyCounts()); // in place: handlers mid-request hold this object
    this.resetAt = ++this.version;
  }

  /** Everything, or with `since` only the series written after that version (a delta for the page). */
  snapshot(nowSeconds: number, since = -1): ReceivedSnapshot {
    const out: ReceivedSnapshot = {
      series: [],
      distributions: [],
      events: [...this.events],
      counts: structuredClone(this.counts),
      version: this.version,
      resetAt: this.resetAt,
      now: nowSeconds,
    };
    if (since >= 0) out.since = since;
    for (const e of this.entries.values()) {
      if (e.version <= since) continue;
      const base = {
        key: e.key,
        metric: e.metric,
        host: e.host,
        tags: [...e.tags],
        writes: e.writes,
        version: e.version,
      };
      if (e.type === undefined) {
        const points = [...(e.values as Map<number, number[]>)].map(([t, vs]): [number, number[]] => [
          t,
          [...vs],
        ]);
        out.distributions.push({ ...base, points: points.sort((a, b) => a[0] - b[0]) });
      } else {
        const points = [...(e.values as Map<number, number>)].sort((a, b) => a[0] - b[0]);
        const s = { ...base, type: e.type, points, overwrites: e.overwrites };
        out.series.push(e.interval === undefined ? s : { ...s, interval: e.interval });
      }
    }
    return out;
  }

  /** The entry for a key, moved to the most-recently-written end. */
  private entry(key: string, id: SeriesId, type: SeriesType | undefined): Entry {
    this.version++;
    let e = this.entries.get(key);
    if (e === undefined) {
      const values = type === undefined ? new Map<number, number[]>() : new Map<number, number>();
      e = { ...id, key, type, values, size: 0, writes: 0, overwrites: 0, version: this.version };
      while (this.entries.size >= this.limits.maxSeries) this.evictOldestSeries();
    } else this.entries.delete(key);
    e.version = this.version;
    this.entries.set(key, e);
    return e;
  }

  private evictOldestSeries(): void {
    const oldest = this.entries.values().next().value;
    if (oldest === undefined) return;
    this.entries.delete(oldest.key);
    this.resetAt = this.version;
    this.points -= oldest.size;
    this.counts.evicted.series++;
    this.counts.evicted.points += oldest.size;
  }

  /** Drops the oldest points of the least recently written series until under `maxPoints`. */
  private trim(): void {
    while (this.points > this.limits.maxPoints) {
      const e = this.entries.values().next().value;
      if (e === undefined) return;
      const first = e.values.entries().next().value;
      if (first === undefined) {
        this.entries.delete(e.key);
        this.resetAt = this.version;
        continue;
      }
      const n = typeof first[1] === 'number' ? 1 : first[1].length;
      e.values.delete(first[0]);
      e.version = this.version;
      e.size -= n;
      this.points -= n;
      this.counts.evicted.points += n;
      if (e.size <= 0) {
        this.entries.delete(e.key);
        this.resetAt = this.version;
        this.counts.evicted.series++;
      }
    }
  }
}
