import type { RecordedRequest } from '../../src/testing.js';

export interface WireSeries {
  metric: string;
  type?: string;
  interval?: number;
  points: [number, number | number[]][];
  host: string;
  tags: string[];
}

/** All series entries of the recorded requests to one path, in order. */
export function seriesOf(requests: readonly RecordedRequest[], path = '/api/v1/series'): WireSeries[] {
  return requests.filter((r) => r.path === path).flatMap((r) => (r.body as { series: WireSeries[] }).series);
}

/** `metric{tags}` → `[[t, v], …]` flattened over the given entries. */
export function pointsByKey(series: readonly WireSeries[]): Map<string, [number, number | number[]][]> {
  const out = new Map<string, [number, number | number[]][]>();
  for (const s of series) {
    const key = `${s.metric}{${s.tags.join(',')}}${s.host === '' ? '' : `@${s.host}`}`;
    out.set(key, [...(out.get(key) ?? []), ...s.points]);
  }
  return out;
}

/** What a last-write-wins backend ends up holding: key → timestamp → value. */
export function lastWriteWins(series: readonly WireSeries[]): Map<string, Map<number, number>> {
  const out = new Map<string, Map<number, number>>();
  for (const [key, points] of pointsByKey(series)) {
    const m = out.get(key) ?? new Map<number, number>();
    for (const [t, v] of points) m.set(t, v as number);
    out.set(key, m);
  }
  return out;
}
