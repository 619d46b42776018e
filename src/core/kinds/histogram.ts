import type { HistogramAggregate } from '../../types.js';
import { compactBytes, Samples, type SamplesCompact } from '../samples.js';
import { KIND, type KindOps, type Output, REFUSED_INVALID, type Slots } from './kind.js';

export interface HistogramConfig {
  aggregates: readonly HistogramAggregate[];
  percentiles: readonly number[];
  /** Keep a compact form of what was sent so a late sample re-sends aggregates over all samples. */
  retains: boolean;
}

/** Suffix Datadog's agent uses for a percentile: 0.95 → `95percentile`, 0.999 → `99.9percentile`. */
export function percentileSuffix(p: number): string {
  return `${Math.round(p * 1000) / 10}percentile`;
}

type Reader = (s: Samples) => number;

const AGGREGATE: Record<HistogramAggregate, Reader> = {
  min: (s) => s.min,
  max: (s) => s.max,
  avg: (s) => s.sum / s.count,
  median: (s) => s.percentile(0.5),
  sum: (s) => s.sum,
  count: (s) => s.count,
};

/**
 * Histograms and timings: client-side aggregates per bucket, each its own wire series `name.<agg>`
 * (`.count` a count, the rest gauges). A sent record keeps its samples compacted (sorted Float64Array
 * or trimmed sketch).
 */
export function histogramKind(cfg: HistogramConfig): KindOps {
  const outputs: Output[] = [];
  const readers: Reader[] = [];
  for (const agg of cfg.aggregates) {
    outputs.push({ suffix: agg, type: agg === 'count' ? 'count' : 'gauge' });
    readers.push(AGGREGATE[agg]);
  }
  for (const p of cfg.percentiles) {
    outputs.push({ suffix: percentileSuffix(p), type: 'gauge' });
    readers.push((s) => s.percentile(p));
  }
  return {
    id: KIND.histogram,
    endpoint: 'series',
    outputs,
    retains: cfg.retains,
    adds: !cfg.retains,
    perValue: false,
    add(slots: Slots, value) {
      const v = value as number;
      let p = slots.p as Samples | undefined;
      // `.sum` and `.avg` over every sample of the bucket must stay finite.
      const total =
        v +
        (p?.sum ?? 0) +
        ((slots.a as SamplesCompact | undefined)?.sum ?? 0) +
        ((slots.s as Samples | undefined)?.sum ?? 0);
      if (!Number.isFinite(total)) return REFUSED_INVALID;
      if (p === undefined) {
        p = new Samples();
        slots.p = p;
        p.add(v);
        return p.bytes;
      }
      const before = p.bytes;
      p.add(v);
      return p.bytes - before;
    },
    merge: (x, y) => (x as Samples).merge(y as Samples),
    compact: (state) => (state as Samples).compact(),
    expand: (compact) => Samples.expand(compact as SamplesCompact),
    points: () => 1,
    weigh: (state) => (state as Samples).bytes,
    weighCompact: (compact) => compactBytes(compact as SamplesCompact),
    value: (state, i) => readers[i]!(state as Samples),
    values: () => [],
  };
}
