import { hash } from '../normalize.js';
import { KIND, type KindOps, REFUSED_FULL, type Slots } from './kind.js';

/** Distinct members one set series-bucket keeps; further new members are refused (counted). */
export const MAX_SET_SIZE = 10_000;
/** A longer member is kept as its first 200 characters and a hash of the whole (memory stays bounded). */
const MAX_MEMBER = 256;

// A member's string and its slot, generous: Node 24's heap holds more per member than Node 20's (measured).
const memberBytes = (m: string): number => 24 + 2 * m.length;

/** Ascending array search (the compact form of a sent set). */
function hasSorted(sorted: readonly string[], m: string): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = sorted[mid]!;
    if (v === m) return true;
    if (v < m) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/**
 * Sets: the number of distinct members per bucket, sent as a gauge. A sent record keeps its members as a
 * sorted array, so a later member re-sends the size of the union. `retains: false` (an additive sink)
 * sends the distinct count of what is new only. A distinct count cannot be added across processes, so
 * sets stay per-process gauges in every mode.
 */
export function setKind(retains: boolean): KindOps {
  return {
    id: KIND.set,
    endpoint: 'series',
    outputs: [{ suffix: '', type: 'gauge' }],
    retains,
    adds: !retains,
    perValue: false,
    add(slots: Slots, value) {
      const raw = value as string;
      const m = raw.length > MAX_MEMBER ? `${raw.slice(0, 200)}#${hash(raw)}` : raw;
      const a = slots.a as string[] | undefined;
      const s = slots.s as Set<string> | undefined;
      // Already in the union: nothing new to send, nothing to keep.
      if ((a !== undefined && hasSorted(a, m)) || s?.has(m)) return 0;
      let p = slots.p as Set<string> | undefined;
      if (p?.has(m)) return 0;
      // a, s and p are disjoint, so their sizes add up to the union's.
      if ((a?.length ?? 0) + (s?.size ?? 0) + (p?.size ?? 0) >= MAX_SET_SIZE) return REFUSED_FULL;
      let grew = memberBytes(m) + 24;
      if (p === undefined) {
        p = new Set();
        slots.p = p;
        grew += 64;
      }
      p.add(m);
      return grew;
    },
    merge(x, y) {
      const out = x as Set<string>;
      for (const m of y as Set<string>) out.add(m);
      return out;
    },
    compact: (state) => [...(state as Set<string>)].sort(),
    expand: (compact) => new Set(compact as string[]),
    points: () => 1,
    weigh(state) {
      let n = 64;
      for (const m of state as Set<string>) n += memberBytes(m) + 24;
      return n;
    },
    weighCompact(compact) {
      let n = 32;
      for (const m of compact as string[]) n += memberBytes(m) + 8;
      return n;
    },
    value: (state) => (state as Set<string>).size,
    values: (state) => [(state as Set<string>).size],
  };
}
