import type { JsonHandler, JsonScalar, OVERSIZED } from './json-stream.js';
import { type ElementState, finishElement, newElement, type ReadItem } from './series-element.js';
import {
  C,
  type Container,
  type Endpoint,
  elementSlot,
  endElementPart,
  type FieldContext,
  type Frame,
} from './series-fields.js';
import { PairBuffer } from './series-pairs.js';

// Reads `{"series":[…]}` for /api/v1/series, /api/v2/series and /api/v1/distribution_points from
// the token stream, one element at a time: nothing of the request is kept but the current element
// (and, in "write" mode, up to MAX_BUFFERED_PAIRS of its points).
//
// The same reader runs twice per request: "check" while the body arrives (nothing kept, errors
// collected), then — only if the request is accepted — "write" over the same bytes, handing each
// valid element to the store. Both runs see the same bytes, so they reach the same verdicts. An
// element with more points than the buffer (its identity may come after its points) is read once
// more once its identity is known ("replay"), its points going to the store in batches.

export type { ReadItem } from './series-element.js';
export type { Endpoint } from './series-fields.js';

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

export interface ReadOutcome {
  /** Elements of the series array. */
  elements: number;
  /** v2: series refused inside an accepted request, one message each (capped). */
  rejected: string[];
  rejectedCount: number;
}

export class SeriesReader implements JsonHandler {
  private readonly frames: Frame[] = [];
  private depth = 0;
  private sawRoot = false;
  private sawSeries = false;
  private elements = 0;
  private el: ElementState = newElement(0);
  private readonly errors: string[] = [];
  private readonly rejected: string[] = [];
  private rejectedCount = 0;
  private readonly points: PairBuffer;
  private readonly cx: FieldContext;

  constructor(
    private readonly endpoint: Endpoint,
    private readonly options: ReaderOptions = {},
  ) {
    const { write, identity } = options;
    const flush = write !== undefined && identity !== undefined;
    this.points = new PairBuffer(
      write !== undefined,
      flush ? (pairs) => write({ ...identity, pairs }) : undefined,
    );
    this.cx = {
      endpoint,
      keepTags: write !== undefined,
      pair: (t, v) => {
        if (!Number.isFinite(t) || !Number.isFinite(v))
          this.el.schema ??= 'timestamps and values must be finite numbers';
        this.points.add(t, v);
      },
      resetPoints: () => this.points.reset(),
    };
  }

  private top(): Frame | undefined {
    return this.depth === 0 ? undefined : this.frames[this.depth - 1];
  }

  /** The context a value starting now gets from its parent (and its key or position). */
  private slot(container: Container, v?: JsonScalar): number {
    const f = this.top();
    if (f === undefined) {
      if (container !== 'object') this.refuse('an object with a "series" array');
      this.sawRoot = true;
      return C.root;
    }
    if (f.ctx === C.root) {
      if (f.key !== 'series') return C.skip;
      if (this.sawSeries) this.refuse('"series" appears twice');
      if (container !== 'array') this.refuse('"series" must be an array');
      this.sawSeries = true;
      return C.series;
    }
    if (f.ctx !== C.series) return elementSlot(f, this.el, container, v, this.cx);
    this.el = newElement(f.index);
    this.el.start = this.options.offset?.() ?? 0;
    this.points.reset();
    if (container === 'object') return C.element;
    this.el.schema = 'must be an object';
    this.endElement();
    return C.skip;
  }

  private refuse(what: string): never {
    throw new PayloadRefused([`Payload is not in the expected format: ${what}`]);
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
    const what = field === 'metric' ? 'metric name' : field;
    this.errors.push(`series[${this.el.index}]${name}: ${what} longer than 200 characters`);
    throw new PayloadRefused(this.errors);
  }

  endObject(): void {
    this.close();
  }

  endArray(): void {
    this.close();
  }

  private close(): void {
    const f = this.top()!;
    this.depth--;
    if (f.ctx === C.element) this.endElement();
    else endElementPart(f, this.el, this.cx);
    this.advance();
  }

  private endElement(): void {
    this.elements++;
    const el = this.el;
    const verdict = finishElement(el, this.endpoint);
    const { write, identity, replay, offset } = this.options;
    if (verdict.ok) {
      if (write === undefined) return;
      const pairs = this.points.view();
      if (identity !== undefined) write({ ...identity, pairs });
      else if (!this.points.overflow) write(verdict.item(pairs));
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
    if (!this.sawRoot || !this.sawSeries) this.refuse('"series" must be an array');
    const rejected = [...this.rejected];
    if (this.rejectedCount > this.rejected.length)
      rejected.push(`${this.rejectedCount - this.rejected.length} more series rejected (not listed)`);
    return { elements: this.elements, rejected, rejectedCount: this.rejectedCount };
  }
}
