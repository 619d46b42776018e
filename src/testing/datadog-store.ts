// What Datadog keeps of a sequence of requests, for assertions in tests: the rules of the local intake's
// store (src/intake/store.ts) without its streaming parser and bounds. Requests are `{ path, body }` with a
// decoded JSON body: the memory transport's records, or real requests through decodeRequest.
import { entries, keyOf, type StoredType } from './series-entries.js';

export type { StoredType } from './series-entries.js';

/** One series: (metric, host, sorted tags) — not the type — with the last value written per timestamp. */
export interface StoredSeries {
  metric: string;
  host: string;
  /** Sorted, de-duplicated. */
  tags: string[];
  /** Type of the last write. */
  type: StoredType;
  /** Every type written, in the order count, rate, gauge, unspecified (they overwrite each other). */
  types: StoredType[];
  /** `[timestamp, value]` sorted by timestamp: the last value written for each. */
  points: [number, number][];
  /** Points written, overwrites included. */
  writes: number;
  /** Writes that replaced a value already stored for the same timestamp (a re-send counts too). */
  overwrites: number;
}

/** One distribution: every value of every request is kept per timestamp (Datadog adds them up). */
export interface StoredDistribution {
  metric: string;
  host: string;
  tags: string[];
  /** `[timestamp, values]` sorted by timestamp, values in arrival order. */
  points: [number, number[]][];
}

/** Where a series is: its tags in any order and with repeats; host `""` when left out. */
export interface SeriesSelector {
  tags?: readonly string[];
  host?: string;
}

export interface DatadogStore {
  series: StoredSeries[];
  distributions: StoredDistribution[];
  /** Event bodies, in arrival order. */
  events: unknown[];
  /** Overwrites over all series. */
  overwrites: number;
  /** Metric names that arrived with two types (count/rate/gauge, or as a series and a distribution). */
  typeConflicts: string[];
  /** The stored value of a series at `timestamp`, or `undefined`. */
  value(metric: string, timestamp: number, where?: SeriesSelector): number | undefined;
  /** Every distribution value stored at `timestamp`, or `undefined`. */
  values(metric: string, timestamp: number, where?: SeriesSelector): number[] | undefined;
}

type Identity = Pick<StoredSeries, 'metric' | 'host' | 'tags'>;
interface SeriesState extends Omit<StoredSeries, 'points'> {
  cells: Map<number, number>;
}
interface DistributionState extends Identity {
  cells: Map<number, number[]>;
}

const TYPE_ORDER: readonly StoredType[] = ['count', 'rate', 'gauge', 'unspecified'];
const sorted = <V>(cells: Map<number, V>): [number, V][] => [...cells].sort(([a], [b]) => a - b);
const byIdentity = (a: Identity, b: Identity): number =>
  keyOf(a.metric, a.host, a.tags) < keyOf(b.metric, b.host, b.tags) ? -1 : 1;

/**
 * Reduces requests to what Datadog would store: series keyed by name, host and sorted tags (not by type)
 * with the last write per timestamp winning, every distribution value kept, events in order. Takes the
 * memory transport's records, or real requests decoded with {@link decodeRequest}/{@link decodeBody}.
 * @example
 * const transport = createMemoryTransport();
 * const metrics = createMetrics({ transport, flushInterval: 0, now: () => 1_700_000_000_000 });
 * metrics.increment('orders', 2); await metrics.flush();
 * metrics.increment('orders', 3); await metrics.flush(); // the same bucket, sent again as its total
 * const stored = storeLikeDatadog(transport.requests);
 * stored.value('orders', 1_700_000_000); // 5
 * stored.overwrites; // 1
 */
export function storeLikeDatadog(requests: readonly { path: string; body: unknown }[]): DatadogStore {
  const series = new Map<string, SeriesState>();
  const distributions = new Map<string, DistributionState>();
  const kinds = new Map<string, Set<string>>();
  const events: unknown[] = [];
  const seen = (metric: string, kind: string): void => {
    const set = kinds.get(metric) ?? new Set<string>();
    if (kind !== 'unspecified') set.add(kind); // v2's "unspecified" conflicts with nothing
    kinds.set(metric, set);
  };
  for (const { path, body } of requests) {
    const route = path.split('?')[0];
    if (route === '/api/v1/events') events.push(body);
    else if (route === '/api/v1/series' || route === '/api/v2/series')
      for (const e of entries(body, route === '/api/v2/series')) {
        const key = keyOf(e.metric, e.host, e.tags);
        const s: SeriesState = series.get(key) ?? {
          ...identity(e),
          type: e.type,
          types: [],
          cells: new Map(),
          writes: 0,
          overwrites: 0,
        };
        series.set(key, s);
        s.type = e.type;
        if (!s.types.includes(e.type))
          s.types = TYPE_ORDER.filter((t) => t === e.type || s.types.includes(t));
        seen(e.metric, e.type);
        for (const [t, v] of e.points) {
          if (typeof v !== 'number') continue;
          s.writes++;
          if (s.cells.has(t)) s.overwrites++;
          s.cells.set(t, v);
        }
      }
    else if (route === '/api/v1/distribution_points')
      for (const e of entries(body, false)) {
        const key = keyOf(e.metric, e.host, e.tags);
        const d = distributions.get(key) ?? { ...identity(e), cells: new Map() };
        distributions.set(key, d);
        seen(e.metric, 'distribution');
        for (const [t, v] of e.points) {
          const values = Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number') : [];
          d.cells.set(t, [...(d.cells.get(t) ?? []), ...values]);
        }
      }
  }
  const storedSeries = [...series.values()]
    .map(({ cells, ...s }): StoredSeries => ({ ...s, points: sorted(cells) }))
    .sort(byIdentity);
  const storedDistributions = [...distributions.values()]
    .map(({ cells, ...d }): StoredDistribution => ({ ...d, points: sorted(cells) }))
    .sort(byIdentity);
  return Object.assign(Object.create(LOOKUPS) as Lookups, {
    series: storedSeries,
    distributions: storedDistributions,
    events,
    overwrites: storedSeries.reduce((n, s) => n + s.overwrites, 0),
    typeConflicts: [...kinds].filter(([, set]) => set.size > 1).map(([metric]) => metric),
  });
}

type Lookups = Pick<DatadogStore, 'value' | 'values'>;
const find = <T extends Identity>(list: readonly T[], metric: string, where: SeriesSelector = {}) => {
  const key = keyOf(metric, where.host ?? '', where.tags ?? []);
  return list.find((s) => keyOf(s.metric, s.host, s.tags) === key);
};
/** On the prototype: two stores of the same requests are `toEqual`. */
const LOOKUPS: Lookups = {
  value(this: DatadogStore, metric, timestamp, where) {
    return find(this.series, metric, where)?.points.find(([t]) => t === timestamp)?.[1];
  },
  values(this: DatadogStore, metric, timestamp, where) {
    return find(this.distributions, metric, where)?.points.find(([t]) => t === timestamp)?.[1];
  },
};

const identity = (e: Identity): Identity => ({ metric: e.metric, host: e.host, tags: e.tags });
