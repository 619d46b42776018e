import { type RecordedRequest, storeLikeDatadog } from '../../src/testing.js';

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

/** What a last-write-wins backend ends up holding: key (as in pointsByKey) → timestamp → value. */
export function lastWriteWins(series: readonly WireSeries[]): Map<string, Map<number, number>> {
  const stored = storeLikeDatadog([{ path: '/api/v1/series', body: { series } }]);
  return new Map(
    stored.series.map((s) => [
      `${s.metric}{${s.tags.join(',')}}${s.host === '' ? '' : `@${s.host}`}`,
      new Map(s.points),
    ]),
  );
}
