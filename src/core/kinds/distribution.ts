import { KIND, type KindId, type KindOps, type Slots } from './kind.js';

const VALUE_BYTES = 12; // a double in a growable array, with its spare room

/**
 * Distributions: every raw value goes to the distributions endpoint once (the backend adds them up), so
 * nothing is kept after a send. With `id: KIND.histogram` this is a histogram or timing sent as a
 * distribution under its own name (sendAs: 'distribution').
 */
export function distributionKind(id: KindId = KIND.distribution): KindOps {
  return {
    id,
    endpoint: 'distributions',
    outputs: [],
    retains: false,
    adds: true,
    perValue: true,
    add(slots: Slots, value) {
      const p = slots.p as number[] | undefined;
      if (p === undefined) {
        slots.p = [value as number];
        return 48;
      }
      p.push(value as number);
      return VALUE_BYTES;
    },
    merge(x, y) {
      const out = x as number[];
      for (const v of y as number[]) out.push(v);
      return out;
    },
    compact: (state) => state,
    expand: (compact) => compact,
    points: (state) => (state as number[]).length,
    weigh: (state) => 48 + (state as number[]).length * VALUE_BYTES,
    weighCompact: (compact) => 48 + (compact as number[]).length * VALUE_BYTES,
    value: () => Number.NaN,
    values: (state) => state as number[],
    split: (state, n) => [(state as number[]).slice(0, n), (state as number[]).slice(n)],
  };
}
