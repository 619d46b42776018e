import type { KindOps } from './kinds/kind.js';
import type { Rec } from './rec.js';

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

/** A metric name (namespace included, ≤ 200 characters), owned by one kind at a time. */
export interface NameEntry {
  readonly id: number;
  readonly full: string;
  /** The kind whose series use this name now (a name serves one kind: DESIGN §12). */
  kind: KindOps | undefined;
  /** JSON-quoted wire names of `kind`'s outputs (`name.max`, …), or of the name itself. */
  wire: string[];
  refs: number;
  dead: boolean;
}

/**
 * One series: kind + full name + host + tag set. Holds its newest record inline; older records that are
 * pending or in flight hang off `older`, and sent ones live in the record store's per-bucket columns.
 */
export class Series {
  readonly kind: KindOps;
  readonly host: string;
  readonly tags: TagSet;
  readonly nameEntry: NameEntry;
  /** The record of the newest bucket seen (the hot path checks it first). */
  cur: Rec | undefined = undefined;
  /** Records of older buckets that are pending or in flight. */
  older: Rec[] | undefined = undefined;
  /** This series' entries in the retained columns. */
  columns = 0;
  /** Buckets at or before this without a record are refused: their sent totals were forgotten. */
  floor = Number.NEGATIVE_INFINITY;
  /** Bound instruments holding the series (it is kept while any does). */
  pins = 0;
  /** Waiting in the store's idle list to be forgotten. */
  idle = false;
  /** Unregistered: a later call resolves a new Series for the same identity. */
  gone = false;
  /** Position in a payload: by name, then kind, host and tags. */
  get name(): string {
    return this.nameEntry.full;
  }

  constructor(kind: KindOps, entry: NameEntry, host: string, tags: TagSet) {
    this.kind = kind;
    this.nameEntry = entry;
    this.host = host;
    this.tags = tags;
  }
}

/** Stable payload order: name, kind, host, tags. */
export function compareSeries(a: Series, b: Series): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  if (a.kind.id !== b.kind.id) return a.kind.id - b.kind.id;
  if (a.host !== b.host) return a.host < b.host ? -1 : 1;
  if (a.tags.json !== b.tags.json) return a.tags.json < b.tags.json ? -1 : 1;
  return 0;
}
