import type { Output } from './kinds/kind.js';
import type { Series } from './series.js';

/** Per-request budget in UTF-16 units. One unit is at most 3 UTF-8 bytes, so a body is at most
 * 3,000,000 bytes before compression; deflate never grows text by more than ~0.1%, so it also stays
 * under Datadog's 3,200,000-byte compressed limit (and far under 62,914,560 decompressed). */
export const MAX_BODY_CHARS = 1_000_000;

/** v2's limits are 512,000 bytes compressed and 5 MB decompressed per request: a quarter of v1's text. */
export const MAX_V2_BODY_CHARS = 250_000;

/** How series and distribution entries are written (the v1 API; v2 is another format). */
export interface WireFormat {
  /** Where series entries go, and how large one request's text may be. */
  readonly seriesPath: '/api/v1/series' | '/api/v2/series';
  readonly maxSeriesBodyChars: number;
  /** One point of a series output. `value` is finite. */
  point(bucket: number, value: number): string;
  /** One series output entry; `points` are `point()` texts joined by commas. */
  series(metric: string, output: Output, points: string, series: Series): string;
  /** One bucket of distribution values (always v1: there is no v2 endpoint for distributions). */
  values(bucket: number, values: readonly number[]): string;
  distribution(metric: string, points: string, series: Series): string;
}

// Hosts are few (usually one per client): the last one's JSON is kept rather than stringified per series.
let lastHost = '';
let lastHostJson = '""';
function hostJson(host: string): string {
  if (host !== lastHost) {
    lastHostJson = JSON.stringify(host);
    lastHost = host;
  }
  return lastHostJson;
}

const tail = (s: Series): string => `,"host":${hostJson(s.host)},"tags":${s.tags.json}}`;

/** `/api/v1/series` and `/api/v1/distribution_points` (DESIGN §4). */
export function v1Format(interval: number): WireFormat {
  return {
    seriesPath: '/api/v1/series',
    maxSeriesBodyChars: MAX_BODY_CHARS,
    point: (bucket, value) => `[${bucket},${value}]`,
    series: (metric, output, points, s) =>
      `{"metric":${metric},"type":"${output.type}"${output.type === 'count' ? `,"interval":${interval}` : ''},"points":[${points}]${tail(s)}`,
    values: (bucket, values) => `[${bucket},[${values.join(',')}]]`,
    distribution: (metric, points, s) => `{"metric":${metric},"points":[${points}]${tail(s)}`,
  };
}

/**
 * `/api/v2/series` (DESIGN §4): integer types (1 count, 3 gauge), `{timestamp, value}` points, the host as
 * a resource (left out when it is ""), `interval` on counts, `unit` from `units` (keyed by the full
 * metric name; not on a histogram's `.count`). Distributions stay on v1.
 */
export function v2Format(interval: number, units: ReadonlyMap<string, string>): WireFormat {
  const v1 = v1Format(interval);
  return {
    ...v1,
    seriesPath: '/api/v2/series',
    maxSeriesBodyChars: MAX_V2_BODY_CHARS,
    point: (bucket, value) => `{"timestamp":${bucket},"value":${value}}`,
    series: (metric, output, points, s) => {
      const count = output.type === 'count';
      const unit = output.suffix === 'count' ? undefined : units.get(s.name);
      const resources = s.host === '' ? '' : `,"resources":[{"type":"host","name":${hostJson(s.host)}}]`;
      return `{"metric":${metric},"type":${count ? 1 : 3}${count ? `,"interval":${interval}` : ''}${unit === undefined ? '' : `,"unit":${JSON.stringify(unit)}`},"points":[${points}]${resources},"tags":${s.tags.json}}`;
    },
  };
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
