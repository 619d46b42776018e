import type { HistogramAggregate } from '../types.js';
import { type Cell, KIND } from './rollup.js';
import type { Samples } from './samples.js';
import type { Series } from './series.js';

/** Per-request budget in UTF-16 units. One unit is at most 3 UTF-8 bytes, so a body is at most
 * 3,000,000 bytes before compression; deflate never grows text by more than ~0.1%, so it also stays
 * under Datadog's 3,200,000-byte compressed limit (and far under 62,914,560 decompressed). */
export const MAX_BODY_CHARS = 1_000_000;

export interface SerializeConfig {
  interval: number;
  aggregates: readonly HistogramAggregate[];
  percentiles: readonly number[];
}

/** Suffix Datadog's agent uses for a percentile: 0.95 → `95percentile`, 0.999 → `99.9percentile`. */
export function percentileSuffix(p: number): string {
  return `${Math.round(p * 1000) / 10}percentile`;
}

/** `name.suffix`, the name shortened so the whole stays within Datadog's 200 characters. */
function suffixed(name: string, suffix: string): string {
  return `${name.slice(0, 199 - suffix.length)}.${suffix}`;
}

function tail(series: Series): string {
  return `,"host":${JSON.stringify(series.host)},"tags":${series.tags.json}}`;
}

function points(cells: readonly Cell[], value: (cell: Cell) => number): string {
  let out = '';
  for (const cell of cells) out += `${out === '' ? '' : ','}[${cell.b},${value(cell)}]`;
  return out;
}

function aggregate(s: Samples, agg: HistogramAggregate): number {
  switch (agg) {
    case 'min':
      return s.min;
    case 'max':
      return s.max;
    case 'avg':
      return s.sum / s.count;
    case 'median':
      return s.percentile(0.5);
    case 'sum':
      return s.sum;
    case 'count':
      return s.count;
  }
}

/** Wire entries of one series for the given (dirty) cells, sorted by bucket. */
export function seriesEntries(series: Series, cells: readonly Cell[], cfg: SerializeConfig): string[] {
  const name = series.name;
  const end = tail(series);
  switch (series.kind) {
    case KIND.count:
      return [
        `{"metric":${JSON.stringify(name)},"type":"count","interval":${cfg.interval},"points":[${points(cells, (c) => c.v as number)}]${end}`,
      ];
    case KIND.gauge:
      return [
        `{"metric":${JSON.stringify(name)},"type":"gauge","points":[${points(cells, (c) => c.v as number)}]${end}`,
      ];
    case KIND.set:
      return [
        `{"metric":${JSON.stringify(name)},"type":"gauge","points":[${points(cells, (c) => (c.v as Set<string>).size)}]${end}`,
      ];
    case KIND.histogram: {
      const out: string[] = [];
      for (const agg of cfg.aggregates) {
        const type = agg === 'count' ? `"count","interval":${cfg.interval}` : '"gauge"';
        const pts = points(cells, (c) => aggregate(c.v as Samples, agg));
        out.push(`{"metric":${JSON.stringify(suffixed(name, agg))},"type":${type},"points":[${pts}]${end}`);
      }
      for (const p of cfg.percentiles) {
        const pts = points(cells, (c) => (c.v as Samples).percentile(p));
        const metric = JSON.stringify(suffixed(name, percentileSuffix(p)));
        out.push(`{"metric":${metric},"type":"gauge","points":[${pts}]${end}`);
      }
      return out;
    }
    default: {
      let pts = '';
      for (const cell of cells)
        pts += `${pts === '' ? '' : ','}[${cell.b},[${(cell.v as number[]).join(',')}]]`;
      return [`{"metric":${JSON.stringify(name)},"points":[${pts}]${end}`];
    }
  }
}

/** Groups entries into bodies `{"series":[…]}` of at most `maxChars` UTF-16 units each (an oversized entry goes alone). */
export function chunkEntries<T extends { json: string[] }>(
  items: readonly T[],
  maxChars = MAX_BODY_CHARS,
): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let size = 13;
  for (const item of items) {
    let itemSize = 0;
    for (const j of item.json) itemSize += j.length + 1;
    if (current.length > 0 && size + itemSize > maxChars) {
      chunks.push(current);
      current = [];
      size = 13;
    }
    current.push(item);
    size += itemSize;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** The request body for a group of items. */
export function seriesBody(items: readonly { json: string[] }[]): string {
  let body = '{"series":[';
  let first = true;
  for (const item of items)
    for (const j of item.json) {
      body += first ? j : `,${j}`;
      first = false;
    }
  return `${body}]}`;
}
