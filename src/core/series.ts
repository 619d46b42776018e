import type { Cell, Kind } from './rollup.js';

/** An interned, normalized tag combination (constant tags included). */
export interface TagSet {
  readonly id: number;
  /** JSON array text, sorted and de-duplicated: exactly what goes on the wire. */
  readonly json: string;
  refs: number;
  dead: boolean;
  /** The first default-host series with this tag set: most tag sets have exactly one, found with no lookup. */
  series: Series | undefined;
  /** Further default-host series with this tag set, by `name id * 8 + kind`. */
  more: Map<number, Series> | undefined;
}

export interface NameEntry {
  readonly id: number;
  readonly full: string;
  refs: number;
  dead: boolean;
}

/** One series: type + full name + host + tag set. Holds its series-bucket cells. */
export class Series {
  readonly kind: Kind;
  readonly host: string;
  readonly tags: TagSet;
  readonly nameEntry: NameEntry;
  cells: Cell[] = oneSlot();
  /** The cell used last: the hot path checks it before searching. */
  hot: Cell | undefined = undefined;
  /** Held by a bound instrument: kept even when it has no cells. */
  pinned = false;

  constructor(kind: Kind, entry: NameEntry, host: string, tags: TagSet) {
    this.kind = kind;
    this.nameEntry = entry;
    this.host = host;
    this.tags = tags;
  }

  /** Full metric name (namespace included). A getter: one field less per series. */
  get name(): string {
    return this.nameEntry.full;
  }
}

/**
 * An empty array with room for one element. Most series hold one bucket at a time, and V8 gives an array
 * that starts as `[]` 17 slots on its first `push` (136 bytes per series, for nothing).
 */
function oneSlot(): Cell[] {
  const cells: (Cell | undefined)[] = [undefined];
  cells.pop();
  return cells as Cell[];
}
