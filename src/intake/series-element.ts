import type { JsonScalar, OVERSIZED } from './json-stream.js';
import type { SeriesType } from './types.js';

// One element of a series array while it is read, and the verdict on it once it closes.
//
// Datadog's rules, as documented (and stricter where noted):
// - metric names: start with a letter, ASCII letters, digits, `_` and `.` only, at most 200 characters
//   (https://docs.datadoghq.com/metrics/custom_metrics/#naming-custom-metrics). Datadog normalizes a
//   bad name; this intake refuses it, so a client that should have normalized shows.
// - tags: at most 200 characters (https://docs.datadoghq.com/getting_started/tagging/#define-tags).
//   Datadog cuts longer tags; this intake refuses them (a client cuts at 200 UTF-16 units).
// - at most 1,000 tags per series: this intake's own bound, not Datadog's.
// - v1 `type`: count, rate or gauge (absent: gauge); v2 `type`: 0 unspecified, 1 count, 2 rate,
//   3 gauge (absent: 0); distribution_points `type`: "distribution" or absent
//   (https://docs.datadoghq.com/api/latest/metrics/).

const NAME = /^[A-Za-z][A-Za-z0-9_.]{0,199}$/;
const V1_TYPES = new Map<unknown, SeriesType>([
  ['count', 'count'],
  ['rate', 'rate'],
  ['gauge', 'gauge'],
]);
const V2_TYPES: readonly SeriesType[] = ['unspecified', 'count', 'rate', 'gauge'];

export interface ElementState {
  index: number;
  /** Byte offset of its `{` ("write" mode), to read it again. */
  start: number;
  metric: string | typeof OVERSIZED | undefined;
  type: JsonScalar | undefined;
  interval: number | undefined;
  host: string;
  unit: string | undefined;
  /** Kept only in "write" mode. */
  tags: string[];
  tagCount: number;
  hasPoints: boolean;
  /** The point being read. */
  t: number | undefined;
  v: number | undefined;
  resourceName: string | undefined;
  resourceType: string | undefined;
  resourceHost: string | undefined;
  /** First wrong JSON type seen (refuses the request on v2). */
  schema: string | undefined;
  /** First rule broken by well-typed data (refuses the series only, on v2). */
  semantic: string | undefined;
}

export function newElement(index: number): ElementState {
  return {
    index,
    start: 0,
    metric: undefined,
    type: undefined,
    interval: undefined,
    host: '',
    unit: undefined,
    tags: [],
    tagCount: 0,
    hasPoints: false,
    t: undefined,
    v: undefined,
    resourceName: undefined,
    resourceType: undefined,
    resourceHost: undefined,
    schema: undefined,
    semantic: undefined,
  };
}

/** A valid element, as the store takes it. `pairs` is a view: copy what you keep. */
export interface ReadItem {
  metric: string;
  host: string;
  /** Sorted, de-duplicated. */
  tags: string[];
  /** undefined for a distribution. */
  type: SeriesType | undefined;
  interval: number | undefined;
  unit: string | undefined;
  /** (timestamp, value) pairs; a distribution point `[t, [a, b]]` is two pairs. */
  pairs: Float64Array;
}

export type Verdict =
  | { ok: true; item: (pairs: Float64Array) => ReadItem }
  | { ok: false; schema: boolean; name: string; problem: string };

export function finishElement(el: ElementState, endpoint: 'v1' | 'v2' | 'distribution'): Verdict {
  const name = typeof el.metric === 'string' && el.metric !== '' ? ` "${el.metric.slice(0, 210)}"` : '';
  const no = (problem: string, schema: boolean): Verdict => ({ ok: false, schema, name, problem });
  if (el.schema !== undefined) return no(el.schema, true);
  let type: SeriesType | undefined;
  if (endpoint === 'v1') {
    type = el.type === undefined ? 'gauge' : V1_TYPES.get(el.type);
    if (type === undefined) return no('"type" must be one of count, rate, gauge', true);
  } else if (endpoint === 'v2') {
    const t = el.type ?? 0;
    if (typeof t !== 'number' || !Number.isInteger(t) || t < 0 || t > 3)
      return no('"type" must be 0, 1, 2 or 3 (unspecified, count, rate, gauge)', true);
    type = V2_TYPES[t];
  } else if (el.type !== undefined && el.type !== 'distribution')
    return no('"type" must be "distribution"', true);
  const v2 = endpoint === 'v2';
  if (el.metric === undefined || el.metric === '')
    return no(v2 ? '"metric" is required' : '"metric" must be a non-empty string', !v2);
  if (typeof el.metric !== 'string' || !NAME.test(el.metric))
    return no('invalid metric name (start with a letter; A-Z a-z 0-9 _ . only; ≤ 200 chars)', !v2);
  if (!el.hasPoints)
    return no(
      v2
        ? '"points" is required'
        : endpoint === 'v1'
          ? '"points" must be an array of [timestamp, value] number pairs'
          : '"points" must be an array of [timestamp, [values]]',
      !v2,
    );
  if (el.semantic !== undefined) return no(el.semantic, !v2);
  const metric = el.metric;
  return {
    ok: true,
    item: (pairs) => ({
      metric,
      host: v2 ? (el.resourceHost ?? '') : el.host,
      tags: [...new Set(el.tags)].sort(),
      type,
      interval: el.interval,
      unit: el.unit,
      pairs,
    }),
  };
}
