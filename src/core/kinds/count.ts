import { type Endpoint, KIND, type KindOps, NUMBER_BYTES, REFUSED_INVALID, type Slots } from './kind.js';

export interface CountMode {
  /** Last-write-wins backend: keep the total and send it merged. Else send each delta once. */
  retains: boolean;
  /** `distributions`: the delta goes out as one distribution value (sendAs: 'distribution'). */
  endpoint: Endpoint;
}

/** Counts: the sum of the points in a bucket (native), or the delta since the last acknowledged send. */
export function countKind(mode: CountMode): KindOps {
  return {
    id: KIND.count,
    endpoint: mode.endpoint,
    outputs: mode.endpoint === 'series' ? [{ suffix: '', type: 'count' }] : [],
    retains: mode.retains,
    adds: !mode.retains,
    perValue: false,
    add(slots: Slots, value) {
      const p = slots.p as number | undefined;
      const next = p === undefined ? (value as number) : p + (value as number);
      // The whole total (acknowledged + in flight + pending) must stay a finite number.
      const total = next + ((slots.a as number | undefined) ?? 0) + ((slots.s as number | undefined) ?? 0);
      if (!Number.isFinite(total)) return REFUSED_INVALID;
      slots.p = next;
      return p === undefined ? NUMBER_BYTES : 0;
    },
    merge: (x, y) => (x as number) + (y as number),
    compact: (state) => state,
    expand: (compact) => compact,
    points: () => 1,
    weigh: () => NUMBER_BYTES,
    weighCompact: () => NUMBER_BYTES,
    value: (state) => state as number,
    values: (state) => [state as number],
  };
}
