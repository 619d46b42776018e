import { datadogSeriesKey, type SeriesPoints, upsert } from './vm-series.js';

type Kind = 'count' | 'gauge' | 'set' | 'histogram';

interface Cell {
  count: number;
  gauge: number;
  members: Set<string>;
  samples: number[];
}

/**
 * An independent model of what the backend should end up holding for a workload, written from
 * DESIGN §2 (not from the client's code): count = sum, gauge = last, set = distinct count,
 * histogram = default aggregates (max, median, avg, count, 95percentile, nearest rank) per bucket.
 */
export class Truth {
  private readonly cells = new Map<
    string,
    { kind: Kind; name: string; tags: string[]; byBucket: Map<number, Cell> }
  >();

  /** `tags` are the normalized tags as they go on the wire, constant tags included. */
  constructor(
    readonly interval: number,
    private readonly constantTags: readonly string[] = [],
  ) {}

  count(name: string, t: number, value: number, tags: readonly string[] = []): void {
    this.cell('count', name, t, tags).count += value;
  }

  gauge(name: string, t: number, value: number, tags: readonly string[] = []): void {
    this.cell('gauge', name, t, tags).gauge = value;
  }

  set(name: string, t: number, member: string | number, tags: readonly string[] = []): void {
    this.cell('set', name, t, tags).members.add(String(member));
  }

  histogram(name: string, t: number, value: number, tags: readonly string[] = []): void {
    this.cell('histogram', name, t, tags).samples.push(value);
  }

  /** Bucket start of a point at `t` seconds (mathematical floor). */
  bucket(t: number): number {
    return Math.floor(t / this.interval) * this.interval;
  }

  expected(): SeriesPoints {
    const out: SeriesPoints = {};
    const put = (name: string, tags: string[], b: number, v: number): void => {
      const key = datadogSeriesKey(name, tags);
      out[key] ??= {};
      out[key][b] = v;
    };
    for (const { kind, name, tags, byBucket } of this.cells.values())
      for (const [b, c] of byBucket) {
        if (kind === 'count') put(name, tags, b, c.count);
        else if (kind === 'gauge') put(name, tags, b, c.gauge);
        else if (kind === 'set') put(name, tags, b, c.members.size);
        else {
          const s = [...c.samples].sort((x, y) => x - y);
          const rank = (p: number): number => s[Math.ceil(p * s.length) - 1]!;
          put(`${name}.max`, tags, b, s[s.length - 1]!);
          put(`${name}.median`, tags, b, rank(0.5));
          put(`${name}.avg`, tags, b, s.reduce((x, y) => x + y, 0) / s.length);
          put(`${name}.count`, tags, b, s.length);
          put(`${name}.95percentile`, tags, b, rank(0.95));
        }
      }
    return out;
  }

  private cell(kind: Kind, name: string, t: number, tags: readonly string[]): Cell {
    const all = [...new Set([...this.constantTags, ...tags])].sort();
    const id = `${kind}|${name}|${all.join(',')}`;
    const series = upsert(this.cells, id, () => ({ kind, name, tags: all, byBucket: new Map() }));
    const b = this.bucket(t);
    return upsert(series.byBucket, b, (): Cell => ({ count: 0, gauge: 0, members: new Set(), samples: [] }));
  }
}

/**
 * VictoriaMetrics stores a float as a decimal with a limited mantissa (13.833333333333334 reads back
 * as 13.8333333333), so a non-integer that matches within 1e-9 relative is replaced by the expected
 * value before an exact comparison. Integers (every count, set size, max of integer samples) stay exact.
 */
export function withVmPrecision(actual: SeriesPoints, expected: SeriesPoints): SeriesPoints {
  const out: SeriesPoints = {};
  for (const [key, points] of Object.entries(actual)) {
    out[key] = {};
    for (const [t, v] of Object.entries(points)) {
      const e = expected[key]?.[Number(t)];
      const close = e !== undefined && !Number.isInteger(e) && Math.abs(v - e) <= 1e-9 * Math.abs(e);
      out[key][Number(t)] = close ? e : v;
    }
  }
  return out;
}
