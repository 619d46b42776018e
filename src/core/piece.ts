// What a drain hands the flush: pieces of records, grouped per series into entries, and how a request
// ended for them. The drain and settle logic is in drain.ts.
import type { Rec } from './rec.js';
import type { Series } from './series.js';

/** What one request carries of one record: its wire state, and the part of `p` it took (none for an echo). */
export class Piece {
  readonly rec: Rec;
  /** The state serialized: `merge(expand(a), sealed)`, `sealed` alone, or `expand(a)` for an echo. */
  readonly w: unknown;
  readonly sealed: unknown;
  readonly points: number;
  /** Bytes of `sealed` accounted in the record. */
  readonly bytes: number;

  constructor(rec: Rec, w: unknown, sealed: unknown, points: number, bytes: number) {
    this.rec = rec;
    this.w = w;
    this.sealed = sealed;
    this.points = points;
    this.bytes = bytes;
  }
}

/** One series' share of a request: its pieces (ascending buckets) and the wire entries they make. */
export interface Entry {
  readonly series: Series;
  readonly pieces: readonly Piece[];
  readonly json: string[];
  /** New points carried (an echo carries none). */
  readonly points: number;
}

export interface Drained {
  series: Entry[];
  distributions: Entry[];
}

/**
 * How a request ended for its entries: stored; refused for good (400/403…); not stored; or maybe
 * stored (cut at the deadline, 5xx, a connection lost after the body was written).
 */
export type Outcome = 'ok' | 'rejected' | 'failed' | 'ambiguous';

export interface DrainConfig {
  interval: number;
  maxPastSeconds: number;
  maxFutureSeconds: number;
}

export interface DrainHooks {
  invalid(series: Series): void;
  /** Points that go out again after an ambiguous failure and may then be counted twice. */
  resent(points: number): void;
}
