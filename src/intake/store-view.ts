import { type DistEntry, type Entry, type SeriesEntry, TYPE_BIT, TYPE_NAMES } from './store-entry.js';
import type { NameTypes } from './store-names.js';
import type {
  ReceivedDistribution,
  ReceivedOptions,
  ReceivedSeries,
  ReceivedSnapshot,
  SeriesType,
} from './types.js';

/** Everything in a snapshot but its series. */
export type SnapshotHeader = Omit<ReceivedSnapshot, 'series' | 'distributions' | 'since'> & { since: number };

const CHUNK_CHARS = 64 * 1024;
const byTime = (a: [number, unknown], b: [number, unknown]): number => a[0] - b[0];

/** Turns store entries into the snapshot's plain objects, whole or as streamed JSON text. */
export class ReceivedView {
  constructor(private readonly names: NameTypes) {}

  snapshot(header: SnapshotHeader, entries: Iterable<Entry>, options: ReceivedOptions): ReceivedSnapshot {
    const { since, ...rest } = header;
    const out: ReceivedSnapshot = { series: [], distributions: [], ...rest };
    if (since >= 0) out.since = since;
    for (const e of entries) {
      if (e.version <= since) continue;
      if (e.kind === 'series') out.series.push(this.series(e, options));
      else out.distributions.push(this.distribution(e, options));
    }
    return out;
  }

  /** The same snapshot as JSON, in pieces of about 64 K characters; one series is serialized at a time. */
  *json(header: SnapshotHeader, entries: readonly Entry[], options: ReceivedOptions): Generator<string> {
    const { since, ...rest } = header;
    const head = JSON.stringify(since >= 0 ? { ...rest, since } : rest);
    let buf = `${head.slice(0, -1)},"series":[`;
    for (const kind of ['series', 'distributions'] as const) {
      if (kind === 'distributions') buf += '],"distributions":[';
      let first = true;
      for (const e of entries) {
        if (e.version <= since || (e.kind === 'series') !== (kind === 'series')) continue;
        buf +=
          (first ? '' : ',') +
          JSON.stringify(e.kind === 'series' ? this.series(e, options) : this.distribution(e, options));
        first = false;
        if (buf.length >= CHUNK_CHARS) {
          yield buf;
          buf = '';
        }
      }
    }
    yield `${buf}]}`;
  }

  private series(e: SeriesEntry, options: ReceivedOptions): ReceivedSeries {
    const points = [...e.values].sort(byTime);
    const s: ReceivedSeries = {
      key: e.key,
      metric: e.metric,
      type: e.type,
      types: TYPE_NAMES.filter((t): t is SeriesType => (e.types & TYPE_BIT[t]) !== 0),
      typeConflict: this.names.conflict(e.metric),
      host: e.host,
      tags: [...e.tags],
      points: cut(points, options.points),
      timestamps: points.length,
      writes: e.writes,
      overwrites: e.overwrites,
      version: e.version,
    };
    if (e.interval !== undefined) s.interval = e.interval;
    if (e.unit !== undefined) s.unit = e.unit;
    return s;
  }

  private distribution(e: DistEntry, options: ReceivedOptions): ReceivedDistribution {
    const cells = cut([...e.cells].sort(byTime), options.points);
    return {
      key: e.key,
      metric: e.metric,
      typeConflict: this.names.conflict(e.metric),
      host: e.host,
      tags: [...e.tags],
      points: cells.map(([t, c]): [number, number[]] => [t, c.values.slice(0, options.values)]),
      stats: cells.map(([timestamp, c]) => ({
        timestamp,
        count: c.values.length,
        sum: c.sum,
        min: c.min,
        max: c.max,
      })),
      timestamps: e.cells.size,
      values: e.size,
      writes: e.writes,
      version: e.version,
    };
  }
}

function cut<T>(list: T[], keep: number | undefined): T[] {
  return keep === undefined || list.length <= keep ? list : list.slice(list.length - keep);
}
