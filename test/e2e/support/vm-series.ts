import { SEQ_LABEL } from '../../helpers/fault-proxy.js';
import type { ExportedSeries } from '../../helpers/victoria.js';

/** Series key → bucket start (Unix seconds) → value. */
export type SeriesPoints = Record<string, Record<number, number>>;

/** One write of one sample, in proxy arrival order (`seq`; undefined when it did not pass the proxy). */
export interface Write {
  seq: number | undefined;
  value: number;
}

export interface WriteHistory {
  /** Series key → timestamp (s) → writes ordered by arrival. */
  writes: Map<string, Map<number, Write[]>>;
  /** Anything a last-write-wins backend could not order or store as sent. Expected empty. */
  problems: string[];
}

// How VictoriaMetrics 1.79 maps a Datadog v1 series (verified against the binary): the metric name is
// kept verbatim (dots stay); a non-empty `host` becomes label `host`; a tag `k:v` becomes label `k`
// = `v` (split at the first colon, key case kept); a tag without a colon becomes `k` = `no_label_value`;
// a tag named `host` becomes `exported_host`; `type` and `interval` are not stored.
export const NO_LABEL_VALUE = 'no_label_value';

/** The value under `key`, created first when absent. */
export function upsert<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}

/** The key `name{k=v,…}` (labels sorted) of a series as it is stored. */
export function seriesKey(name: string, labels: Readonly<Record<string, string>>): string {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`);
  return `${name}{${parts.join(',')}}`;
}

/** The key a Datadog series (`metric`, `tags`, `host`) gets in VictoriaMetrics. */
export function datadogSeriesKey(metric: string, tags: readonly string[], host = ''): string {
  const labels: Record<string, string> = {};
  if (host !== '') labels.host = host;
  for (const tag of tags) {
    const i = tag.indexOf(':');
    const key = i < 0 ? tag : tag.slice(0, i);
    labels[key === 'host' ? 'exported_host' : key] = i < 0 ? NO_LABEL_VALUE : tag.slice(i + 1);
  }
  return seriesKey(metric, labels);
}

/**
 * Groups raw exported samples per series and timestamp, in arrival order. The proxy stamps every
 * forwarded request with `SEQ_LABEL`, which is dropped from the key and used as the order.
 */
export function writeHistory(lines: readonly ExportedSeries[]): WriteHistory {
  const writes = new Map<string, Map<number, Write[]>>();
  const problems: string[] = [];
  for (const line of lines) {
    const { __name__: name = '', [SEQ_LABEL]: seqText, ...labels } = line.metric;
    const seq = seqText === undefined ? undefined : Number(seqText);
    const key = seriesKey(name, labels);
    const byTime = upsert(writes, key, () => new Map<number, Write[]>());
    line.timestamps.forEach((ms, i) => {
      const value = line.values[i]!;
      if (ms % 1000 !== 0) problems.push(`${key}: timestamp ${ms} ms is not a whole second`);
      const t = Math.floor(ms / 1000);
      const list = upsert(byTime, t, (): Write[] => []);
      if (seq !== undefined && list.some((w) => w.seq === seq))
        problems.push(`${key} @${t}: two samples in one request (seq ${seq})`);
      list.push({ seq, value });
    });
  }
  for (const [key, byTime] of writes)
    for (const [t, list] of byTime) {
      list.sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
      const unordered = list.filter((w) => w.seq === undefined);
      if (list.length > 1 && unordered.length > 0 && new Set(list.map((w) => w.value)).size > 1)
        problems.push(`${key} @${t}: duplicate samples without an arrival order`);
    }
  return { writes, problems };
}

/** What a last-write-wins backend (Datadog) holds: the last write per series and timestamp. */
export function lastWriteWins(history: WriteHistory): SeriesPoints {
  const out: SeriesPoints = {};
  for (const [key, byTime] of history.writes) {
    const points: Record<number, number> = {};
    for (const [t, list] of byTime) points[t] = list[list.length - 1]!.value;
    out[key] = points;
  }
  return out;
}
