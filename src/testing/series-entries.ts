// The series entries of a v1 or v2 request body, as the Datadog API reads them: v1 `host` and `[t, v]`
// points, v2 `resources` (type host) and `{ timestamp, value }` points, v2 type numbers mapped to names.
/** Series type as stored: v1 names; v2 numbers 0..3 map to `unspecified`, `count`, `rate`, `gauge`. */
export type StoredType = 'unspecified' | 'count' | 'rate' | 'gauge';

export interface Element {
  metric: string;
  host: string;
  tags: string[];
  type: StoredType;
  points: [number, unknown][];
}

const V2_TYPES: readonly StoredType[] = ['unspecified', 'count', 'rate', 'gauge'];
const V1_TYPES: readonly StoredType[] = ['count', 'rate', 'gauge'];
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
export const keyOf = (metric: string, host: string, tags: readonly string[]): string =>
  JSON.stringify([metric, host, [...new Set(tags)].sort()]);

/** One entry of `series` in a v1 or v2 body; anything Datadog would refuse is skipped. */
function element(raw: unknown, v2: boolean): Element | undefined {
  if (!isObject(raw) || typeof raw.metric !== 'string' || !Array.isArray(raw.points)) return undefined;
  const tags = Array.isArray(raw.tags) ? raw.tags.filter((t): t is string => typeof t === 'string') : [];
  const resources = Array.isArray(raw.resources) ? raw.resources.filter(isObject) : [];
  const resource = resources.find((r) => r.type === 'host' && typeof r.name === 'string');
  const host = v2 ? (resource?.name as string | undefined) : raw.host;
  // v1: no type is a gauge; v2: no type is 0 (unspecified). Any other type refuses the entry.
  const type = v2
    ? V2_TYPES[raw.type == null ? 0 : typeof raw.type === 'number' ? raw.type : -1]
    : raw.type == null
      ? 'gauge'
      : V1_TYPES.find((t) => t === raw.type);
  if (type === undefined) return undefined;
  const points = raw.points.flatMap((p): [number, unknown][] => {
    if (v2) return isObject(p) && typeof p.timestamp === 'number' ? [[p.timestamp, p.value]] : [];
    return Array.isArray(p) && typeof p[0] === 'number' ? [[p[0], p[1]]] : [];
  });
  return {
    metric: raw.metric,
    host: typeof host === 'string' ? host : '',
    tags: [...new Set(tags)].sort(),
    type,
    points,
  };
}

export const entries = (body: unknown, v2: boolean): Element[] =>
  isObject(body) && Array.isArray(body.series) ? body.series.flatMap((raw) => element(raw, v2) ?? []) : [];
