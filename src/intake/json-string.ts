// A JSON string, one byte at a time, for json-stream.ts: validates escapes and control characters,
// keeps at most `max` raw bytes (a longer string is still validated to its end, then reported as
// too long), and decodes what it kept exactly as JSON.parse would.

/** Bytes allowed after a backslash, besides `u`: " \ / b f n r t. */
const ESCAPES = new Set([0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74]);
const isHex = (b: number): boolean =>
  (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66);

/** What `byte` found. */
export const S = { more: 0, end: 1, tooLong: 2 } as const;

export class JsonString {
  private readonly kept: Buffer;
  private len = 0;
  private escaped = false;
  private escape = 0; // 0 none, 1 after "\", 2..5 in \uXXXX
  oversized = false;

  constructor(private readonly max: number) {
    this.kept = Buffer.allocUnsafe(max);
  }

  start(): void {
    this.len = 0;
    this.escaped = false;
    this.escape = 0;
    this.oversized = false;
  }

  /** Takes the byte after the opening quote and on. Throws a message if the string is malformed. */
  byte(b: number): number {
    if (this.escape === 1) {
      if (b === 0x75) this.escape = 2;
      else if (ESCAPES.has(b)) this.escape = 0;
      else throw new Error('Bad escaped character in a string');
    } else if (this.escape >= 2) {
      if (!isHex(b)) throw new Error('Bad Unicode escape in a string');
      this.escape = this.escape === 5 ? 0 : this.escape + 1;
    } else if (b === 0x22) return S.end;
    else if (b === 0x5c) {
      this.escape = 1;
      this.escaped = true;
    } else if (b < 0x20) throw new Error('Bad control character in a string');
    if (this.oversized) return S.more;
    if (this.len >= this.max) {
      this.oversized = true;
      return S.tooLong;
    }
    this.kept[this.len++] = b;
    return S.more;
  }

  /** The decoded string (only when not oversized). */
  value(): string {
    const text = this.kept.toString('utf8', 0, this.len);
    // Escapes were validated above; JSON.parse decodes them exactly as it would have.
    return this.escaped ? (JSON.parse(`"${text}"`) as string) : text;
  }
}
