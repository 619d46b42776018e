// The contract every metric kind implements: the whole behaviour of one kind lives in its own file
// (count.ts, gauge.ts, set.ts, histogram.ts, distribution.ts), and the records, drain and commit code
// never branch on kind. A record holds three slots (records.ts):
//   a — what the backend holds, as far as we know (kept only by `retains` kinds, in compact form);
//   s — sealed: in a request right now;
//   p — pending: recorded since the last seal.
// A send carries `merge(expand(a), s)` (or `s` alone); success stores its compact form in `a`, a failure
// folds `s` back into `p` with the same `merge`.

/** Metric kinds as the user sees them (series identity), small integers. */
export const KIND = { count: 0, gauge: 1, set: 2, histogram: 3, distribution: 4 } as const;
export type KindId = (typeof KIND)[keyof typeof KIND];

export type Endpoint = 'series' | 'distributions';

/** One wire series a record turns into on the series endpoint: the metric's name plus `suffix`. */
export interface Output {
  /** `''`: the metric's own name; else `name.suffix`. */
  readonly suffix: string;
  readonly type: 'count' | 'gauge';
}

/** The slots of a record, as kinds see them. */
export interface Slots {
  a: unknown;
  s: unknown;
  p: unknown;
}

/** `add` refused the value: it would make the record's total non-finite. */
export const REFUSED_INVALID = -1;
/** `add` refused the value: the record holds as many distinct members as it may. */
export const REFUSED_FULL = -2;

export interface KindOps {
  readonly id: KindId;
  readonly endpoint: Endpoint;
  /** The wire series of one record on the series endpoint (empty for the distributions endpoint). */
  readonly outputs: readonly Output[];
  /**
   * Keep the acknowledged state after a send, so that a later point in the bucket re-sends the merged
   * total (the backend keeps the last write per series and timestamp).
   */
  readonly retains: boolean;
  /**
   * The backend adds up what it gets (distribution points, an additive sink): a value that may have
   * arrived and is sent again may be counted twice (counted in `resent`).
   */
  readonly adds: boolean;
  /** Every value is a point of its own (distribution values): pending points = values held. */
  readonly perValue: boolean;
  /** Folds `value` into `slots.p` (starting it when empty). Returns the bytes it grew by, or a REFUSED_ code. */
  add(slots: Slots, value: number | string): number;
  /** `y` was recorded after `x`. May reuse `x`; never changes `y`. */
  merge(x: unknown, y: unknown): unknown;
  /** The state a sent record keeps (`retains` kinds), and a fresh mergeable state from it. */
  compact(state: unknown): unknown;
  expand(compact: unknown): unknown;
  /** Points a pending state stands for. */
  points(state: unknown): number;
  /** Heap bytes of a pending state and of a compact one (estimates, never below the truth by 2×). */
  weigh(state: unknown): number;
  weighCompact(compact: unknown): number;
  /** Value of `outputs[i]` for a wire state (series endpoint). */
  value(state: unknown, i: number): number;
  /** The values a wire state sends to the distributions endpoint. */
  values(state: unknown): readonly number[];
  /** `perValue` kinds: the first `n` values and the rest, as two states. */
  split?(state: unknown, n: number): [unknown, unknown];
}

/** Bytes a boxed number in a slot costs. */
export const NUMBER_BYTES = 16;
