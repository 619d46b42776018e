import { type JsonScalar, OVERSIZED } from './json-stream.js';
import type { ElementState } from './series-element.js';

// What each field of a series element may hold, endpoint by endpoint, and where its value goes.
// A wrong JSON type sets `el.schema` (on v2 it refuses the request, as a typed decoder would); a
// well-typed value that breaks a rule sets `el.semantic` (on v2 it refuses that series only).

export type Endpoint = 'v1' | 'v2' | 'distribution';
export type Container = 'object' | 'array' | 'scalar';

/** Contexts of the series reader: what the container being read is. */
export const C = {
  root: 1,
  series: 2,
  element: 3,
  tags: 4,
  points: 5,
  point: 6,
  values: 7,
  pointObject: 8,
  resources: 9,
  resource: 10,
  skip: 11,
} as const;

export interface Frame {
  ctx: number;
  key: string | typeof OVERSIZED | undefined;
  index: number;
}

export interface FieldContext {
  endpoint: Endpoint;
  /** "Write" mode keeps tags; "check" mode only validates them. */
  keepTags: boolean;
  /** Takes one (timestamp, value) pair of the element. */
  pair(t: number, v: number): void;
  /** A new `points` array starts (it replaces an earlier one, as JSON.parse would). */
  resetPoints(): void;
}

const POINTS_V2 = '"points" must be an array of {timestamp, value}';
const isString = (v: JsonScalar | undefined): v is string | typeof OVERSIZED =>
  typeof v === 'string' || v === OVERSIZED;

/** A wrong JSON type: the element is refused. */
function schema(el: ElementState, problem: string): number {
  el.schema ??= problem;
  return C.skip;
}

export function pointsShape(endpoint: Endpoint): string {
  if (endpoint === 'v2') return POINTS_V2;
  return endpoint === 'v1'
    ? '"points" must be an array of [timestamp, value] number pairs'
    : '"points" must be an array of [timestamp, [values]]';
}

/** The context of a value starting inside an element (frame `f` is its parent); records what it says on `el`. */
export function elementSlot(
  f: Frame,
  el: ElementState,
  container: Container,
  v: JsonScalar | undefined,
  cx: FieldContext,
): number {
  const { endpoint } = cx;
  switch (f.ctx) {
    case C.element:
      return field(f.key, el, container, v, cx);
    case C.tags:
      if (container !== 'scalar' || !isString(v)) return schema(el, '"tags" must be an array of strings');
      el.tagCount++;
      if (v === OVERSIZED || v.length > 200) el.semantic ??= 'tag longer than 200 characters';
      else if (cx.keepTags) el.tags.push(v);
      if (el.tagCount > 1000) el.semantic ??= 'more than 1000 tags';
      return C.skip;
    case C.points:
      if (endpoint === 'v2') return container === 'object' ? C.pointObject : schema(el, POINTS_V2);
      return container === 'array' ? C.point : schema(el, pointsShape(endpoint));
    case C.point:
      if (f.index === 0 && typeof v === 'number') el.t = v;
      else if (f.index === 1 && endpoint === 'v1' && typeof v === 'number') cx.pair(el.t ?? Number.NaN, v);
      else if (f.index === 1 && endpoint === 'distribution' && container === 'array') return C.values;
      else return schema(el, pointsShape(endpoint));
      return C.skip;
    case C.values:
      if (typeof v !== 'number') return schema(el, pointsShape(endpoint));
      cx.pair(el.t ?? Number.NaN, v);
      return C.skip;
    case C.pointObject:
      if (f.key !== 'timestamp' && f.key !== 'value') return C.skip;
      if (typeof v !== 'number') return schema(el, POINTS_V2);
      if (f.key === 'timestamp') el.t = v;
      else el.v = v;
      return C.skip;
    case C.resources:
      return container === 'object' ? C.resource : schema(el, '"resources" must be an array of {name, type}');
    case C.resource:
      if (f.key !== 'name' && f.key !== 'type') return C.skip;
      if (typeof v !== 'string') return schema(el, '"resources" must be an array of {name, type} strings');
      if (f.key === 'name') el.resourceName = v;
      else el.resourceType = v;
      return C.skip;
    default:
      return C.skip;
  }
}

function field(
  key: Frame['key'],
  el: ElementState,
  container: Container,
  v: JsonScalar | undefined,
  cx: FieldContext,
): number {
  const scalar = container === 'scalar';
  const nullish = scalar && v === null;
  const v2 = cx.endpoint === 'v2';
  switch (key) {
    case 'metric':
      if (!scalar || !isString(v)) return schema(el, '"metric" must be a string');
      el.metric = v;
      return C.skip;
    case 'type':
      if (!scalar) return schema(el, '"type" has the wrong shape');
      el.type = nullish ? undefined : v;
      return C.skip;
    case 'interval':
      if (nullish) el.interval = undefined;
      else if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
        return schema(el, '"interval" must be a non-negative number');
      else el.interval = v;
      return C.skip;
    case 'host':
      if (v2) return C.skip; // v2 names its host in `resources`
      if (nullish) el.host = '';
      else if (!scalar || !isString(v)) return schema(el, '"host" must be a string');
      else if (v === OVERSIZED) el.semantic ??= 'host name too long';
      else el.host = v;
      return C.skip;
    case 'tags':
      el.tags = [];
      el.tagCount = 0;
      if (nullish) return C.skip;
      return container === 'array' ? C.tags : schema(el, '"tags" must be an array of strings');
    case 'points':
      cx.resetPoints();
      el.hasPoints = container === 'array';
      return el.hasPoints ? C.points : schema(el, pointsShape(cx.endpoint));
    case 'resources':
      if (!v2 || nullish) return C.skip;
      return container === 'array' ? C.resources : schema(el, '"resources" must be an array of {name, type}');
    case 'unit':
      if (!v2 || nullish) return C.skip;
      if (!scalar || !isString(v)) return schema(el, '"unit" must be a string');
      if (v === OVERSIZED) el.semantic ??= 'unit too long';
      else el.unit = v;
      return C.skip;
    default:
      return C.skip; // metadata, source_type_name, device, …: accepted, not kept
  }
}

/** A container inside an element closed: completes a v2 point, a resource, a v1 point. */
export function endElementPart(f: Frame, el: ElementState, cx: FieldContext): void {
  if (f.ctx === C.pointObject) {
    if (el.t === undefined || el.v === undefined) el.semantic ??= 'a point needs "timestamp" and "value"';
    else cx.pair(el.t, el.v);
    el.t = undefined;
    el.v = undefined;
  } else if (f.ctx === C.resource) {
    if (el.resourceName === undefined) schema(el, '"resources" entries need a "name"');
    else if (el.resourceType === 'host') el.resourceHost ??= el.resourceName;
    el.resourceName = undefined;
    el.resourceType = undefined;
  } else if (f.ctx === C.point) {
    if (f.index !== 2) schema(el, pointsShape(cx.endpoint));
    el.t = undefined;
  }
}
