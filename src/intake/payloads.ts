import type { SeriesId } from './store.js';
import type { SeriesType } from './types.js';

// Shapes of Datadog's intake API, checked the way the API does: a malformed request is refused as a
// whole (400) before anything is stored. Metric names must already be valid (Datadog would normalize
// them; this intake refuses, because a client that normalizes must never send one).

const NAME = /^[A-Za-z][A-Za-z0-9_.]{0,199}$/;
const V1_TYPES = new Set(['count', 'rate', 'gauge']);
const V2_TYPES: readonly SeriesType[] = ['unspecified', 'count', 'rate', 'gauge'];
const MAX_ERRORS = 10;

export interface SeriesItem extends SeriesId {
  type: SeriesType;
  interval: number | undefined;
  points: [number, number][];
}

export interface DistributionItem extends SeriesId {
  points: [number, number[]][];
}

export type Parsed<T> = { items: T[]; errors?: undefined } | { items?: undefined; errors: string[] };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Checks `metric`, `host`, `tags` of one entry; pushes problems to `errors`. */
function identity(s: Obj, where: string, errors: string[], host: unknown): SeriesId | undefined {
  const metric = s.metric;
  if (typeof metric !== 'string' || metric === '')
    errors.push(`${where}: "metric" must be a non-empty string`);
  else if (!NAME.test(metric))
    errors.push(
      `${where}: invalid metric name "${metric.slice(0, 210)}" (start with a letter; A-Z a-z 0-9 _ . only; ≤ 200 chars)`,
    );
  if (host !== undefined && host !== null && typeof host !== 'string')
    errors.push(`${where}: "host" must be a string`);
  const tags = s.tags ?? [];
  if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string'))
    errors.push(`${where}: "tags" must be an array of strings`);
  if (errors.length > 0) return undefined;
  return {
    metric: metric as string,
    host: (host as string | null | undefined) ?? '',
    tags: [...new Set(tags as string[])].sort(),
  };
}

function seriesList(body: unknown): { list: unknown[]; errors?: undefined } | { errors: string[] } {
  if (!isObj(body) || !Array.isArray(body.series))
    return { errors: ['Payload is not in the expected format: "series" must be an array'] };
  return { list: body.series };
}

function collect<T>(
  body: unknown,
  one: (s: Obj, where: string, errors: string[]) => T | undefined,
): Parsed<T> {
  const got = seriesList(body);
  if (got.errors !== undefined) return { errors: got.errors };
  const items: T[] = [];
  const errors: string[] = [];
  got.list.forEach((s, i) => {
    if (errors.length >= MAX_ERRORS) return;
    const where = `series[${i}]`;
    if (!isObj(s)) errors.push(`${where}: must be an object`);
    else {
      const mine: string[] = [];
      const item = one(s, where, mine);
      if (item !== undefined && mine.length === 0) items.push(item);
      errors.push(...mine);
    }
  });
  return errors.length > 0 ? { errors: errors.slice(0, MAX_ERRORS) } : { items };
}

function interval(s: Obj, where: string, errors: string[]): number | undefined {
  if (s.interval === undefined || s.interval === null) return undefined;
  if (!isNum(s.interval) || s.interval < 0) errors.push(`${where}: "interval" must be a non-negative number`);
  return s.interval as number;
}

/** `POST /api/v1/series`: `{series:[{metric, type?, interval?, points:[[t, v]], host?, tags?}]}`. */
export function parseSeriesV1(body: unknown): Parsed<SeriesItem> {
  return collect(body, (s, where, errors) => {
    const id = identity(s, where, errors, s.host);
    if (s.type !== undefined && s.type !== null && !V1_TYPES.has(s.type as string))
      errors.push(`${where}: "type" must be one of count, rate, gauge`);
    const iv = interval(s, where, errors);
    const pts = s.points;
    if (
      !Array.isArray(pts) ||
      !pts.every((p) => Array.isArray(p) && p.length === 2 && isNum(p[0]) && isNum(p[1]))
    )
      errors.push(`${where}: "points" must be an array of [timestamp, value] number pairs`);
    if (id === undefined || errors.length > 0) return undefined;
    const type = (s.type ?? 'gauge') as SeriesType;
    return { ...id, type, interval: iv, points: pts as [number, number][] };
  });
}

/** `POST /api/v2/series`: `{series:[{metric, type?: 0..3, points:[{timestamp, value}], resources?, tags?}]}`. */
export function parseSeriesV2(body: unknown): Parsed<SeriesItem> {
  return collect(body, (s, where, errors) => {
    const resources = s.resources ?? [];
    if (!Array.isArray(resources) || !resources.every((r) => isObj(r) && typeof r.name === 'string'))
      errors.push(`${where}: "resources" must be an array of {name, type}`);
    const host = Array.isArray(resources)
      ? (resources as Obj[]).find((r) => isObj(r) && r.type === 'host')?.name
      : undefined;
    const id = identity(s, where, errors, host);
    const t = s.type ?? 0;
    if (typeof t !== 'number' || !Number.isInteger(t) || t < 0 || t > 3)
      errors.push(`${where}: "type" must be 0, 1, 2 or 3`);
    const iv = interval(s, where, errors);
    const pts = s.points;
    if (!Array.isArray(pts) || !pts.every((p) => isObj(p) && isNum(p.timestamp) && isNum(p.value)))
      errors.push(`${where}: "points" must be an array of {timestamp, value}`);
    if (id === undefined || errors.length > 0) return undefined;
    const points = (pts as Obj[]).map((p): [number, number] => [p.timestamp as number, p.value as number]);
    return { ...id, type: V2_TYPES[t as number]!, interval: iv, points };
  });
}

/** `POST /api/v1/distribution_points`: `{series:[{metric, points:[[t, [v…]]], host?, tags?}]}`. */
export function parseDistributions(body: unknown): Parsed<DistributionItem> {
  return collect(body, (s, where, errors) => {
    const id = identity(s, where, errors, s.host);
    const pts = s.points;
    const ok = (p: unknown): boolean =>
      Array.isArray(p) && p.length === 2 && isNum(p[0]) && Array.isArray(p[1]) && p[1].every(isNum);
    if (!Array.isArray(pts) || !pts.every(ok))
      errors.push(`${where}: "points" must be an array of [timestamp, [values]]`);
    if (id === undefined || errors.length > 0) return undefined;
    return { ...id, points: pts as [number, number[]][] };
  });
}

/** `POST /api/v1/events`: needs a non-empty `title` and a `text` (≤ 4000 characters). */
export function parseEvent(body: unknown): { event: Obj; errors?: undefined } | { errors: string[] } {
  if (!isObj(body)) return { errors: ['Payload is not in the expected format: an event object'] };
  const errors: string[] = [];
  if (typeof body.title !== 'string' || body.title === '') errors.push('"title" must be a non-empty string');
  else if (body.title.length > 100) errors.push('"title" must be at most 100 characters');
  if (typeof body.text !== 'string') errors.push('"text" must be a string');
  else if (body.text.length > 4000) errors.push('"text" must be at most 4000 characters');
  if (body.date_happened !== undefined && !isNum(body.date_happened))
    errors.push('"date_happened" must be a number');
  if (body.tags !== undefined && (!Array.isArray(body.tags) || body.tags.some((t) => typeof t !== 'string')))
    errors.push('"tags" must be an array of strings');
  return errors.length > 0 ? { errors } : { event: body };
}
