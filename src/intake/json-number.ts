// The number grammar of RFC 8259, one byte at a time, for json-stream.ts.
//
// Most metric numbers are short decimals: for up to 15 significant digits and no exponent the value
// is m / 10^k with m < 2^53 and 10^k exact (k ≤ 22), one correctly rounded division — the same
// double `Number(text)` gives (Clinger's fast path). Anything else goes through `Number(text)`.

const N = { start: 0, sign: 1, zero: 2, int: 3, dot: 4, frac: 5, e: 6, esign: 7, exp: 8 } as const;
/** States in which the number may end. */
const FINAL = [false, false, true, true, false, true, false, false, true];
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);
export const MAX_NUMBER_BYTES = 1024;

export class JsonNumber {
  private state: number = N.start;
  private readonly text = Buffer.allocUnsafe(MAX_NUMBER_BYTES);
  private len = 0;
  private mantissa = 0;
  private digits = 0;
  private fraction = 0;
  private negative = false;
  private exponent = false;

  start(): void {
    this.state = N.start;
    this.len = 0;
    this.mantissa = 0;
    this.digits = 0;
    this.fraction = 0;
    this.negative = false;
    this.exponent = false;
  }

  /** Takes `b` if it continues the number; false if the number ends before it. Throws a message if malformed. */
  byte(b: number): boolean {
    const digit = b >= 0x30 && b <= 0x39;
    const exp = b === 0x65 || b === 0x45;
    let next = -1;
    switch (this.state) {
      case N.start:
        next = b === 0x2d ? N.sign : b === 0x30 ? N.zero : digit ? N.int : -1;
        break;
      case N.sign:
        next = b === 0x30 ? N.zero : digit ? N.int : -1;
        break;
      case N.zero:
        next = b === 0x2e ? N.dot : exp ? N.e : -1;
        break;
      case N.int:
        next = digit ? N.int : b === 0x2e ? N.dot : exp ? N.e : -1;
        break;
      case N.dot:
      case N.frac:
        next = digit ? N.frac : exp && this.state === N.frac ? N.e : -1;
        break;
      case N.e:
        next = b === 0x2b || b === 0x2d ? N.esign : digit ? N.exp : -1;
        break;
      case N.esign:
      case N.exp:
        next = digit ? N.exp : -1;
        break;
    }
    if (next === -1) {
      if (!FINAL[this.state]) throw new Error('Bad number');
      return false;
    }
    if (this.len >= MAX_NUMBER_BYTES) throw new Error(`Number longer than ${MAX_NUMBER_BYTES} bytes`);
    if (digit && (next === N.int || next === N.frac || next === N.zero)) {
      if (this.digits > 0 || b !== 0x30) this.digits++;
      this.mantissa = this.mantissa * 10 + (b - 0x30);
      if (next === N.frac) this.fraction++;
    } else if (next === N.sign) this.negative = true;
    else if (next === N.e) this.exponent = true;
    this.state = next;
    this.text[this.len++] = b;
    return true;
  }

  /** The number may end here (at the end of the input). */
  complete(): boolean {
    return FINAL[this.state]!;
  }

  value(): number {
    if (!this.exponent && this.digits <= 15 && this.fraction <= 22) {
      const v = this.mantissa / POW10[this.fraction]!;
      return this.negative ? -v : v;
    }
    return Number(this.text.toString('latin1', 0, this.len));
  }
}
