import { type JsonHandler, type JsonScalar, OVERSIZED } from './json-stream.js';
import { type ElementState, finishElement, newElement, type ReadItem } from './series-element.js';

// Reads `{"series":[…]}` for /api/v1/series, /api/v2/series and /api/v1/distribution_points from
// the token stream, one element at a time: nothing of the request is kept but the current element
// (and, in "write" mode, its points as a flat Float64Array of (timestamp, value) pairs).
//
// The same reader runs twice per request: "check" while the body arrives (nothing kept, errors
// collected), then — only if the request is accepted — "write" over the same bytes, handing each
// valid element to the store. Both runs see the same bytes, so they reach the same verdicts.
// In "write" mode at most MAX_BUFFERED_PAIRS points are buffered: an element with more (its
// identity may come after its points) is read once more once its identity is known ("replay"),
// its points going to the store in batches.

export type Endpoint = 'v1' | 'v2' | 'distribution';
export type { ReadItem } from './series-element.js';

/** Refuses the whole request (400): `errors` are the messages for `{"errors":[…]}`. */
export class PayloadRefused extends Error {
  constructor(readonly errors: string[]) {
    super(errors[0]);
  }
}

/** v1 refuses a request at its 10th error (Datadog-style all or nothing; more would not help the reader). */
const MAX_V1_ERRORS = 10;
/** v2: rejected series listed in the 202 body; past this many, one closing line gives the rest's count. */
export const MAX_LISTED_REJECTIONS = 1000;
/** Points (or distribution values) of one element buffered in "write" mode: 1 MiB. */
export const MAX_BUFFERED_PAIRS = 65_536;

export interface ReaderOptions {
  /** "Write" mode: receives each valid element (a replayed one: its points in batches). */
  write?: (item: ReadItem) => void;
  /** The tokenizer's byte offset, to find an element again. */
  offset?: () => number;
  /** A valid element whose points did not fit the buffer: read bytes [start, end) again, with `identity`. */
  replay?: (identity: ReadItem, start: number, end: number) => void;
  /** Replay mode: the element's identity, known from the first read. */
  identity?: ReadItem;
}

const C = {
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

interface Frame {
  ctx: number;
  key: string | typeof OVERSIZED | undefined;
  index: number;
}

export interface ReadOutcome {
  /** Elements of the series array. */
  elements: number;
  /** v2: series refused inside an accepted request, one message each (capped), plus their count. */
  rejected: string[];
  rejectedCount: number;
}

export class SeriesReader implements JsonHandler {
  private readonly frames: Frame[] = [];
  private depth = 0;
  private sawRoot = false;
  private sawSeries = false;
  private elements = 0;
  private el: ElementState;
  private readonly errors: string[] = [];
  private readonly rejected: string[] = [];
  private rejectedCount = 0;
  private pairs = new Float64Array(256);

  private readonly onItem: ((item: ReadItem) => void) | undefined;

  constructor(
    private readonly endpoint: Endpoint,
    private readonly options: ReaderOptions = {},
  ) {
    this.el = newElement(0);
    this.onItem = options.write;
  }

  private top(): Frame | undefined {
    return this.depth === 0 ? undefined : this.frames[this.depth - 1];
  }

  /** The context a value starting now gets from its parent (and its key or position). */
  private slot(container: 'object' | 'array' | 'scalar', v?: JsonScalar): number {
    const f = this.top();
    if (f === undefined) {
      if (container !== 'object')
        this.refuse('Payload is not in the expected format: an object with a "series" array');
      this.sawRoot = true;
      return C.root;
    }
    const el = this.el;
    switch (f.ctx) {
      case C.root:
        if (f.key !== 'series') return C.skip;
        if (this.sawSeries) this.refuse('Payload is not in the expected format: "series" appears twice');
        if (container !== 'array')
          this.refuse('Payload is not in the expected format: "series" must be an array');
        this.sawSeries = true;
        return C.series;
      case C.series:
        this.el = newElement(f.index);
        this.el.start = this.options.offset?.() ?? 0;
        if (container === 'object') return C.element;
        this.schema(this.el, 'must be an object');
        this.endElement();
        return C.skip;
      case C.element:
        return this.field(f.key, container, v);
      case C.tags:
        if (container !== 'scalar' || (typeof v !== 'string' && v !== OVERSIZED))
          return this.schema(el, '"tags" must be an array of strings');
        el.tagCount++;
        if (v === OVERSIZED || v.length > 200) el.semantic ??= 'tag longer than 200 characters';
        else if (this.onItem !== undefined) el.tags.push(v);
        if (el.tagCount > 1000) el.semantic ??= 'more than 1000 tags';
        return C.skip;
      case C.points:
        if (this.endpoint === 'v2') {
          if (container === 'object') return C.pointObject;
          return this.schema(el, '"points" must be an array of {timestamp, value}');
        }
        if (container === 'array') return C.point;
        return this.schema(el, this.pointsShape());
      case C.point:
        if (f.index === 0 && typeof v === 'number') el.t = v;
        else if (f.index === 1 && this.endpoint === 'v1' && typeof v === 'number')
          this.pair(el.t ?? Number.NaN, v);
        else if (f.index === 1 && this.endpoint === 'distribution' && container === 'array') return C.values;
        else return this.schema(el, this.pointsShape());
        return C.skip;
      case C.values:
        if (typeof v !== 'number') return this.schema(el, this.pointsShape());
        this.pair(el.t ?? Number.NaN, v);
        return C.skip;
      case C.pointObject:
        if (f.key === 'timestamp' || f.key === 'value') {
          if (typeof v !== 'number')
            return this.schema(el, '"points" must be an array of {timestamp, value}');
          if (f.key === 'timestamp') el.t = v;
          else el.v = v;
        }
        return C.skip;
      case C.resources:
        if (container === 'object') return C.resource;
        return this.schema(el, '"resources" must be an array of {name, type}');
      case C.resource:
        if (f.key === 'name' || f.key === 'type') {
          if (typeof v !== 'string')
            return this.schema(el, '"resources" must be an array of {name, type} strings');
          if (f.key === 'name') el.resourceName = v;
          else el.resourceType = v;
        }
        return C.skip;
      default:
        return C.skip;
    }
  }

  private field(
    key: Frame['key'],
    container: 'object' | 'array' | 'scalar',
    v: JsonScalar | undefined,
  ): number {
    const el = this.el;
    const scalar = container === 'scalar';
    const nullish = scalar && v === null;
    const v2 = this.endpoint === 'v2';
    switch (key) {
      case 'metric':
        if (!scalar || (typeof v !== 'string' && v !== OVERSIZED))
          return this.schema(el, '"metric" must be a string');
        el.metric = v;
        return C.skip;
      case 'type':
        if (nullish) el.type = undefined;
        else if (!scalar) return this.schema(el, '"type" has the wrong shape');
        else el.type = v;
        return C.skip;
      case 'interval':
        if (nullish) el.interval = undefined;
        else if (!scalar || typeof v !== 'number' || !Number.isFinite(v) || v < 0)
          return this.schema(el, '"interval" must be a non-negative number');
        else el.interval = v;
        return C.skip;
      case 'host':
        if (v2) return C.skip;
        if (nullish) el.host = '';
        else if (!scalar || (typeof v !== 'string' && v !== OVERSIZED))
          return this.schema(el, '"host" must be a string');
        else if (v === OVERSIZED) el.semantic ??= 'host name too long';
        else el.host = v;
        return C.skip;
      case 'tags':
        el.tags = [];
        el.tagCount = 0;
        if (nullish) return C.skip;
        if (container !== 'array') return this.schema(el, '"tags" must be an array of strings');
        return C.tags;
      case 'points':
        el.pairs = 0;
        el.hasPoints = container === 'array';
        if (container !== 'array')
          return this.schema(el, v2 ? '"points" must be an array of {timestamp, value}' : this.pointsShape());
        return C.points;
      case 'resources':
        if (!v2 || nullish) return C.skip;
        if (container !== 'array') return this.schema(el, '"resources" must be an array of {name, type}');
        return C.resources;
      case 'unit':
        if (!v2 || nullish) return C.skip;
        if (!scalar || (typeof v !== 'string' && v !== OVERSIZED))
          return this.schema(el, '"unit" must be a string');
        if (v === OVERSIZED) el.semantic ??= 'unit too long';
        else el.unit = v;
        return C.skip;
      default:
        return C.skip; // metadata, source_type_name, device, …: accepted, not kept
    }
  }

  private pointsShape(): string {
    return this.endpoint === 'v1'
      ? '"points" must be an array of [timestamp, value] number pairs'
      : '"points" must be an array of [timestamp, [values]]';
  }

  /** A wrong JSON type for a field: the element is refused (v2: the whole request, as a typed decoder would). */
  private schema(el: ElementState, problem: string): number {
    el.schema ??= problem;
    return C.skip;
  }

  private pair(t: number, v: number): void {
    const el = this.el;
    if (!Number.isFinite(t) || !Number.isFinite(v))
      el.schema ??= 'timestamps and values must be finite numbers';
    if (this.onItem === undefined) {
      el.pairs++;
      return;
    }
    if (el.pairs >= MAX_BUFFERED_PAIRS) {
      const identity = this.options.identity;
      if (identity === undefined) {
        el.overflow = true; // read again once the identity is known
        return;
      }
      this.onItem({ ...identity, pairs: this.pairs.subarray(0, el.pairs * 2) });
      el.pairs = 0;
    }
    if ((el.pairs + 1) * 2 > this.pairs.length) {
      const grown = new Float64Array(this.pairs.length * 2);
      grown.set(this.pairs);
      this.pairs = grown;
    }
    this.pairs[el.pairs * 2] = t;
    this.pairs[el.pairs * 2 + 1] = v;
    el.pairs++;
  }

  private refuse(message: string): never {
    throw new PayloadRefused([message]);
  }

  private push(ctx: number): void {
    const f = this.frames[this.depth];
    if (f === undefined) this.frames.push({ ctx, key: undefined, index: 0 });
    else {
      f.ctx = ctx;
      f.key = undefined;
      f.index = 0;
    }
    this.depth++;
  }

  private advance(): void {
    const f = this.top();
    if (f !== undefined) f.index++;
  }

  startObject(): void {
    this.push(this.slot('object'));
  }

  startArray(): void {
    this.push(this.slot('array'));
  }

  key(name: string | typeof OVERSIZED): void {
    this.top()!.key = name;
  }

  value(v: JsonScalar): void {
    this.slot('scalar', v);
    this.advance();
  }

  /** v1 and distributions refuse a request with an over-long name, host or tag at once, mid-string. */
  tooLong(): void {
    const f = this.top();
    if (this.endpoint === 'v2' || f === undefined) return;
    const field =
      f.ctx === C.tags ? 'tag' : f.ctx === C.element && (f.key === 'metric' || f.key === 'host') ? f.key : '';
    if (field === '') return;
    const name = typeof this.el.metric === 'string' ? ` "${this.el.metric.slice(0, 210)}"` : '';
    this.errors.push(
      `series[${this.el.index}]${name}: ${field === 'metric' ? 'metric name' : field} longer than 200 characters`,
    );
    throw new PayloadRefused(this.errors);
  }

  endObject(): void {
    const f = this.top()!;
    this.depth--;
    if (f.ctx === C.element) this.endElement();
    else if (f.ctx === C.pointObject) {
      if (this.el.t === undefined || this.el.v === undefined)
        this.el.semantic ??= 'a point needs "timestamp" and "value"';
      else this.pair(this.el.t, this.el.v);
      this.el.t = undefined;
      this.el.v = undefined;
    } else if (f.ctx === C.resource) {
      if (this.el.resourceName === undefined) this.schema(this.el, '"resources" entries need a "name"');
      else if (this.el.resourceType === 'host') this.el.resourceHost ??= this.el.resourceName;
      this.el.resourceName = undefined;
      this.el.resourceType = undefined;
    }
    this.advance();
  }

  endArray(): void {
    const f = this.top()!;
    this.depth--;
    if (f.ctx === C.point && f.index !== 2) this.schema(this.el, this.pointsShape());
    if (f.ctx === C.point) this.el.t = undefined;
    this.advance();
  }

  private endElement(): void {
    this.elements++;
    const el = this.el;
    const verdict = finishElement(el, this.endpoint);
    if (verdict.ok) {
      const pairs = this.pairs.subarray(0, el.pairs * 2);
      const { identity, replay, offset } = this.options;
      if (this.onItem === undefined) return;
      if (identity !== undefined) this.onItem({ ...identity, pairs });
      else if (!el.overflow) this.onItem(verdict.item(pairs));
      else replay?.(verdict.item(new Float64Array(0)), el.start, (offset?.() ?? 0) + 1);
      return;
    }
    const message = `series[${el.index}]${verdict.name}: ${verdict.problem}`;
    if (this.endpoint === 'v2' && !verdict.schema) {
      if (this.rejected.length < MAX_LISTED_REJECTIONS) this.rejected.push(message);
      this.rejectedCount++;
      return;
    }
    this.errors.push(message);
    if (this.endpoint === 'v2' || this.errors.length >= MAX_V1_ERRORS) throw new PayloadRefused(this.errors);
  }

  /** After the tokenizer ended: the verdict on the request as a whole. Throws PayloadRefused. */
  finish(): ReadOutcome {
    if (this.errors.length > 0) throw new PayloadRefused(this.errors);
    if (!this.sawRoot || !this.sawSeries)
      this.refuse('Payload is not in the expected format: "series" must be an array');
    const rejected = [...this.rejected];
    if (this.rejectedCount > this.rejected.length)
      rejected.push(`${this.rejectedCount - this.rejected.length} more series rejected (not listed)`);
    return { elements: this.elements, rejected, rejectedCount: this.rejectedCount };
  }
}
