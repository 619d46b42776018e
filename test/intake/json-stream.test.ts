import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type JsonHandler, type JsonScalar, JsonTokenizer, OVERSIZED } from '../../src/intake/json-stream.js';

/** Builds the value back from the tokens (what JSON.parse would have returned). */
class Builder implements JsonHandler {
  stack: { c: unknown[] | Record<string, unknown>; key?: string }[] = [];
  root: unknown;
  private put(v: unknown): void {
    const top = this.stack.at(-1);
    if (top === undefined) this.root = v;
    else if (Array.isArray(top.c)) top.c.push(v);
    else
      Object.defineProperty(top.c, top.key!, {
        value: v,
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }
  startObject(): void {
    const o = {};
    this.put(o);
    this.stack.push({ c: o });
  }
  endObject(): void {
    this.stack.pop();
  }
  startArray(): void {
    const a: unknown[] = [];
    this.put(a);
    this.stack.push({ c: a });
  }
  endArray(): void {
    this.stack.pop();
  }
  key(name: string | typeof OVERSIZED): void {
    this.stack.at(-1)!.key = name === OVERSIZED ? '<oversized>' : name;
  }
  value(v: JsonScalar): void {
    this.put(v === OVERSIZED ? '<oversized>' : v);
  }
}

function tokenize(
  bytes: Buffer,
  cuts: number[],
  maxStringBytes = 1 << 20,
): { value?: unknown; error?: string } {
  const b = new Builder();
  const t = new JsonTokenizer(b, { maxStringBytes, maxDepth: 512 });
  try {
    let at = 0;
    for (const cut of [...cuts.map((c) => c % (bytes.length + 1)).sort((x, y) => x - y), bytes.length]) {
      t.push(bytes.subarray(at, cut));
      at = cut;
    }
    t.end();
    return { value: b.root };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

function parse(text: string): { value?: unknown; error?: true } {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return { error: true };
  }
}

/** JSON texts, valid and broken: real JSON, JSON with a byte changed, cut, or grown, and raw junk. */
const text = fc.oneof(
  fc.json({ maxDepth: 4 }),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v, null, 2)),
  fc
    .tuple(fc.json({ maxDepth: 3 }), fc.nat(), fc.constantFrom(...'{}[]",:-+.eE0123456789 \\u\n\ttfn\u0001é'))
    .map(([j, at, ch]) => j.slice(0, at % (j.length + 1)) + ch + j.slice((at % (j.length + 1)) + 1)),
  fc.tuple(fc.json({ maxDepth: 3 }), fc.nat()).map(([j, at]) => j.slice(0, at % (j.length + 1))),
  fc.stringMatching(/^[-+.eE0-9 ]{1,12}$/),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom(
    '"\\ud800"',
    '"\\uDC00x"',
    '-0',
    '1e400',
    '0.1e-400',
    '[1,]',
    '{"a":1,}',
    '\ufeff1',
    '01',
    '1.',
    '"\u007f"',
  ),
);

describe('JsonTokenizer: the same language and values as JSON.parse', () => {
  it('accepts exactly what JSON.parse accepts, with the same values, however the bytes are chunked', () => {
    fc.assert(
      fc.property(text, fc.array(fc.nat(), { maxLength: 4 }), (t, cuts) => {
        // A body is bytes: compare with JSON.parse of those bytes decoded (lone surrogates become U+FFFD).
        const bytes = Buffer.from(t, 'utf8');
        const want = parse(bytes.toString('utf8'));
        const got = tokenize(bytes, cuts);
        if (want.error) expect(got.error, `accepted ${JSON.stringify(t)}`).toBeDefined();
        else {
          expect(got.error, `refused ${JSON.stringify(t)}`).toBeUndefined();
          expect(got.value).toEqual(want.value);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('parses numbers to the same doubles as JSON.parse (the fast path included)', () => {
    const num = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
      fc.integer().map(String),
      fc
        .tuple(fc.integer({ min: -1e9, max: 1e9 }), fc.nat({ max: 10 ** 9 }), fc.integer({ min: 0, max: 25 }))
        .map(([i, f, z]) => `${i}.${'0'.repeat(z)}${f}`),
    );
    fc.assert(
      fc.property(num, (n) => {
        const want = JSON.parse(n) as number;
        const got = tokenize(Buffer.from(`[${n}]`), []).value as number[];
        expect(Object.is(got[0], want), `${n}: ${got[0]} vs ${want}`).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  it('reports a string longer than the limit as OVERSIZED without keeping it, and still validates it', () => {
    const long = `["${'x'.repeat(5000)}", "${'y'.repeat(10)}"]`;
    expect(tokenize(Buffer.from(long), [100, 4000], 4096).value).toEqual(['<oversized>', 'yyyyyyyyyy']);
    expect(tokenize(Buffer.from(`["${'x'.repeat(5000)}\u0001"]`), [], 4096).error).toMatch(
      /control character/,
    );
    expect(tokenize(Buffer.from(`["${'x'.repeat(5000)}\\q"]`), [], 4096).error).toMatch(/escaped character/);
  });

  it('refuses nesting deeper than its limit', () => {
    const t = new JsonTokenizer(new Builder(), { maxStringBytes: 16, maxDepth: 8 });
    expect(() => t.push(Buffer.from('[[[[[[[[['))).toThrow(/deeper than 8/);
  });

  it('decodes UTF-8 split anywhere, and escapes, as JSON.parse does', () => {
    const s = JSON.stringify(['é€𝄞', 'a\\"b\n', '\u2028', 'tab\there']);
    for (let cut = 0; cut <= Buffer.byteLength(s); cut++)
      expect(tokenize(Buffer.from(s), [cut]).value).toEqual(JSON.parse(s));
  });
});
