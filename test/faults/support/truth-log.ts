import type { ReceivedSnapshot } from '../../../src/intake/index.js';
import { Truth } from '../../e2e/support/truth.js';
import { datadogSeriesKey, type SeriesPoints, upsert } from '../../e2e/support/vm-series.js';

/** One call as recorded, tagged with the invocation that made it. */
export type Op =
  | {
      inv: number;
      kind: 'count' | 'gauge' | 'set' | 'histogram' | 'distribution';
      name: string;
      t: number;
      value: number | string;
      tags: string[];
    }
  | { inv: number; kind: 'event'; title: string };

/**
 * Every call of a run, kept in order, so the expected backend state can be built for any subset of the
 * invocations (a batch the intake refused for good is not expected to arrive).
 */
export class TruthLog {
  readonly ops: Op[] = [];

  constructor(readonly interval: number) {}

  /** What a last-write-wins store should hold for the series (DESIGN §2, via the e2e truth model). */
  series(exclude: ReadonlySet<number> = new Set()): SeriesPoints {
    const truth = new Truth(this.interval);
    for (const op of this.ops) {
      if (exclude.has(op.inv)) continue;
      if (op.kind === 'count') truth.count(op.name, op.t, op.value as number, op.tags);
      else if (op.kind === 'gauge') truth.gauge(op.name, op.t, op.value as number, op.tags);
      else if (op.kind === 'set') truth.set(op.name, op.t, op.value, op.tags);
      else if (op.kind === 'histogram') truth.histogram(op.name, op.t, op.value as number, op.tags);
    }
    return truth.expected();
  }

  /** `key@bucket` → distribution values, each value once. */
  distributions(exclude: ReadonlySet<number> = new Set()): Map<string, number[]> {
    const out = new Map<string, number[]>();
    for (const op of this.ops)
      if (op.kind === 'distribution' && !exclude.has(op.inv)) {
        const b = Math.floor(op.t / this.interval) * this.interval;
        upsert(out, `${datadogSeriesKey(op.name, [...op.tags].sort())}@${b}`, () => []).push(
          op.value as number,
        );
      }
    return out;
  }

  events(exclude: ReadonlySet<number> = new Set()): string[] {
    return this.ops.flatMap((op) => (op.kind === 'event' && !exclude.has(op.inv) ? [op.title] : []));
  }

  /** Metric calls (events excluded). */
  points(inv?: number): number {
    return this.ops.filter((op) => op.kind !== 'event' && (inv === undefined || op.inv === inv)).length;
  }
}

/** The series a snapshot of the local intake holds, keyed like the truth model. */
export function storedSeries(snapshot: ReceivedSnapshot): SeriesPoints {
  const out: SeriesPoints = {};
  for (const s of snapshot.series) {
    const points: Record<number, number> = {};
    for (const [t, v] of s.points) points[t] = v;
    out[datadogSeriesKey(s.metric, s.tags, s.host)] = points;
  }
  return out;
}

export interface DistributionDiff {
  /** Expected values that never arrived (`key@bucket: value`). */
  missing: string[];
  /** Values that arrived but were never recorded. */
  foreign: string[];
  /** Values that arrived more often than recorded (the at-least-once resends). */
  extra: number;
}

/** Compares the distribution values the intake kept with the truth, as multisets per series and bucket. */
export function diffDistributions(
  snapshot: ReceivedSnapshot,
  expected: ReadonlyMap<string, readonly number[]>,
): DistributionDiff {
  const got = new Map<string, number[]>();
  for (const d of snapshot.distributions)
    for (const [t, values] of d.points)
      upsert(got, `${datadogSeriesKey(d.metric, d.tags, d.host)}@${t}`, () => []).push(...values);
  const diff: DistributionDiff = { missing: [], foreign: [], extra: 0 };
  for (const key of new Set([...got.keys(), ...expected.keys()])) {
    const left = new Map<number, number>();
    for (const v of expected.get(key) ?? []) left.set(v, (left.get(v) ?? 0) + 1);
    const seen = new Set(left.keys());
    for (const v of got.get(key) ?? []) {
      const n = left.get(v) ?? 0;
      if (n > 0) left.set(v, n - 1);
      else if (seen.has(v)) diff.extra++;
      else diff.foreign.push(`${key}: ${v}`);
    }
    for (const [v, n] of left) for (let i = 0; i < n; i++) diff.missing.push(`${key}: ${v}`);
  }
  return diff;
}
