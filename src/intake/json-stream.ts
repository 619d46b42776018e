import { JsonNumber } from './json-number.js';
import { JsonString, S } from './json-string.js';

// A streaming JSON tokenizer (RFC 8259, what `JSON.parse` accepts) over UTF-8 bytes, fed chunk by
// chunk as a body inflates. It never holds more than one string or number: a string longer than
// `maxStringBytes` is validated to its end but not kept (the handler gets `OVERSIZED`), so a 55 MB
// tag costs nothing, and no tree is built (`{"series":[{},{},…]}` would cost 20× its text in V8).

/** What a handler gets instead of a string longer than the limit. */
export const OVERSIZED: unique symbol = Symbol('oversized string');
export type JsonScalar = string | number | boolean | null | typeof OVERSIZED;

/** Receives tokens in document order. Throwing stops the tokenizer (the error goes to `push`'s caller). */
export interface JsonHandler {
  startObject(): void;
  endObject(): void;
  startArray(): void;
  endArray(): void;
  key(name: string | typeof OVERSIZED): void;
  value(v: JsonScalar): void;
  /** A string value just passed `maxStringBytes` (its end is still to come): a chance to refuse early. */
  tooLong?(): void;
}

/** Malformed JSON, with the byte offset where it went wrong. */
export class JsonSyntaxError extends Error {}

const M = { value: 0, key: 1, colon: 2, after: 3, string: 4, number: 5, literal: 6, done: 7 } as const;
const LITERALS: Record<number, [string, boolean | null]> = {
  116: ['true', true],
  102: ['false', false],
  110: ['null', null],
};

export interface TokenizerLimits {
  /** Raw bytes of one string (escapes counted as written); longer ones reach the handler as OVERSIZED. */
  maxStringBytes: number;
  /** Nesting depth of arrays and objects. */
  maxDepth: number;
}

export class JsonTokenizer {
  private mode: number = M.value;
  /** 1 = object, 2 = array, per open container. */
  private readonly stack: Uint8Array;
  private depth = 0;
  /** Just after `[` or `{`: the container may close at once. */
  private first = false;
  private pos = 0;
  private readonly string: JsonString;
  private isKey = false;
  private readonly number = new JsonNumber();
  private literal = '';
  private literalAt = 0;

  constructor(
    private readonly handler: JsonHandler,
    private readonly limits: TokenizerLimits,
  ) {
    this.stack = new Uint8Array(limits.maxDepth + 1);
    this.string = new JsonString(limits.maxStringBytes);
  }

  private fail(what: string): never {
    throw new JsonSyntaxError(`${what} at byte ${this.pos}`);
  }

  /** Offset of the byte being read (during a handler call: the byte that caused it). */
  get offset(): number {
    return this.pos;
  }

  /** Feeds the next bytes. Throws JsonSyntaxError, or whatever the handler throws. */
  push(chunk: Uint8Array): void {
    const n = chunk.length;
    for (let i = 0; i < n; i++, this.pos++) {
      const b = chunk[i]!;
      switch (this.mode) {
        case M.string:
          this.stringByte(b);
          continue;
        case M.number:
          if (this.numberByte(b)) continue;
          this.endNumber();
          break; // the byte that ended the number is handled below, in "after" mode
        case M.literal:
          if (b !== this.literal.charCodeAt(this.literalAt)) this.fail(`Unexpected byte 0x${b.toString(16)}`);
          if (++this.literalAt === this.literal.length) {
            this.handler.value(LITERALS[this.literal.charCodeAt(0)]![1]);
            this.mode = M.after;
          }
          continue;
      }
      if (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09) continue;
      this.structural(b);
    }
  }

  /** The body ended: throws unless it held exactly one complete JSON value. */
  end(): void {
    if (this.mode === M.number && this.number.complete()) this.endNumber();
    if (this.mode !== M.after || this.depth !== 0) this.fail('Unexpected end of JSON input');
    this.mode = M.done;
  }

  private structural(b: number): void {
    switch (this.mode) {
      case M.value:
        if (b === 0x5d && this.first) {
          this.close(2); // []
          return;
        }
        this.startValue(b);
        return;
      case M.key:
        if (b === 0x7d && this.first) {
          this.close(1); // {}
          return;
        }
        if (b !== 0x22) this.fail('Expected a property name');
        this.startString(true);
        return;
      case M.colon:
        if (b !== 0x3a) this.fail("Expected ':'");
        this.mode = M.value;
        this.first = false;
        return;
      case M.after: {
        const top = this.stack[this.depth];
        if (this.depth === 0) this.fail('Unexpected non-whitespace after the JSON value');
        if (b === 0x2c) {
          this.mode = top === 1 ? M.key : M.value;
          this.first = false;
          return;
        }
        if (b === 0x7d && top === 1) {
          this.close(1);
          return;
        }
        if (b === 0x5d && top === 2) {
          this.close(2);
          return;
        }
        this.fail(top === 1 ? "Expected ',' or '}'" : "Expected ',' or ']'");
        return;
      }
      default:
        this.fail('Unexpected data after the end');
    }
  }

  private startValue(b: number): void {
    if (b === 0x7b || b === 0x5b) {
      if (this.depth >= this.limits.maxDepth) this.fail(`Nested deeper than ${this.limits.maxDepth} levels`);
      this.stack[++this.depth] = b === 0x7b ? 1 : 2;
      this.first = true;
      this.mode = b === 0x7b ? M.key : M.value;
      if (b === 0x7b) this.handler.startObject();
      else this.handler.startArray();
      return;
    }
    if (b === 0x22) {
      this.startString(false);
      return;
    }
    if (b === 0x2d || (b >= 0x30 && b <= 0x39)) {
      this.mode = M.number;
      this.number.start();
      this.numberByte(b);
      return;
    }
    const lit = LITERALS[b];
    if (lit === undefined) this.fail(`Unexpected byte 0x${b.toString(16)}`);
    this.mode = M.literal;
    this.literal = lit[0];
    this.literalAt = 1;
  }

  private close(kind: 1 | 2): void {
    this.depth--;
    this.first = false;
    this.mode = M.after;
    if (kind === 1) this.handler.endObject();
    else this.handler.endArray();
  }

  private startString(isKey: boolean): void {
    this.mode = M.string;
    this.isKey = isKey;
    this.string.start();
  }

  private stringByte(b: number): void {
    let r: number;
    try {
      r = this.string.byte(b);
    } catch (error) {
      this.fail((error as Error).message);
    }
    if (r === S.tooLong && !this.isKey) this.handler.tooLong?.();
    if (r !== S.end) return;
    const s = this.string.oversized ? OVERSIZED : this.string.value();
    if (this.isKey) {
      this.handler.key(s);
      this.mode = M.colon;
    } else {
      this.handler.value(s);
      this.mode = M.after;
    }
  }

  private endNumber(): void {
    this.handler.value(this.number.value());
    this.mode = M.after;
  }

  private numberByte(b: number): boolean {
    try {
      return this.number.byte(b);
    } catch (error) {
      return this.fail((error as Error).message);
    }
  }
}
