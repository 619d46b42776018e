import { CONFLICTING_BITS, type StoredType, TYPE_BIT, WEIGHT } from './store-entry.js';

const bits = (n: number): number => {
  let c = 0;
  for (let m = n & CONFLICTING_BITS; m !== 0; m &= m - 1) c++;
  return c;
};

/**
 * The types each metric name arrived with. Datadog keeps one type per metric name (metadata), so a
 * name sent as a count and a gauge, or as a series and a distribution, is a conflict there. A record
 * lives while a series of that name is stored.
 */
export class NameTypes {
  private readonly names = new Map<string, { bits: number; refs: number }>();

  /** A series of this name was stored: returns the bytes its record adds. */
  ref(metric: string): number {
    const rec = this.names.get(metric);
    if (rec !== undefined) {
      rec.refs++;
      return 0;
    }
    this.names.set(metric, { bits: 0, refs: 1 });
    return WEIGHT.name + WEIGHT.string(metric);
  }

  /** A series of this name was removed: returns the bytes freed. */
  unref(metric: string): number {
    const rec = this.names.get(metric);
    if (rec === undefined || --rec.refs > 0) return 0;
    this.names.delete(metric);
    return WEIGHT.name + WEIGHT.string(metric);
  }

  /** Records a write of `type`; true when this made the name conflict (it had one other type). */
  add(metric: string, type: StoredType): boolean {
    const rec = this.names.get(metric);
    if (rec === undefined) return false;
    const before = bits(rec.bits);
    rec.bits |= TYPE_BIT[type];
    return before === 1 && bits(rec.bits) === 2;
  }

  /** The name arrived with more than one type (unspecified aside). */
  conflict(metric: string): boolean {
    return bits(this.names.get(metric)?.bits ?? 0) > 1;
  }

  clear(): void {
    this.names.clear();
  }
}
