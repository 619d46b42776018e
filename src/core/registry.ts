import { fullName, normalizeName, normalizeTags } from './normalize.js';
import type { Cell, Kind } from './rollup.js';

/** An interned, normalized tag combination (constant tags included). */
export interface TagSet {
  readonly id: number;
  /** JSON array text, sorted and de-duplicated: exactly what goes on the wire. */
  readonly json: string;
  refs: number;
  dead: boolean;
}

interface NameEntry {
  readonly id: number;
  readonly full: string;
  refs: number;
  dead: boolean;
}

/** One series: type + full name + host + tag set. Holds its series-bucket cells. */
export class Series {
  readonly kind: Kind;
  readonly name: string;
  readonly host: string;
  readonly tags: TagSet;
  readonly key: number;
  readonly nameEntry: NameEntry;
  cells: Cell[] = [];
  /** The cell used last: the hot path checks it before searching. */
  hot: Cell | undefined = undefined;
  /** Held by a bound instrument: kept even when it has no cells. */
  pinned = false;

  constructor(kind: Kind, entry: NameEntry, host: string, tags: TagSet, key: number) {
    this.kind = kind;
    this.nameEntry = entry;
    this.name = entry.full;
    this.host = host;
    this.tags = tags;
    this.key = key;
  }
}

export type ProblemSink = (code: 'INVALID_NAME' | 'INVALID_TAG', detail: string) => void;

/** Past this many raw spellings the alias caches are cleared (they are only shortcuts). */
const ALIAS_CACHE_LIMIT = 10_000;
const MAX_NAME_LENGTH = 200;

/**
 * Series identity. Raw names and tag inputs are cached as aliases of interned canonical entries, so a
 * repeated call does one or two Map lookups and no sorting or normalization.
 */
export class Registry {
  private readonly namespace: string;
  private readonly defaultHost: string;
  private readonly constantTags: readonly string[];
  private readonly problem: ProblemSink;
  private readonly names = new Map<string, NameEntry>();
  private readonly nameAliases = new Map<string, NameEntry>();
  private readonly tagSets = new Map<string, TagSet>();
  private readonly tagAliases = new Map<string, TagSet>();
  private readonly byKey = new Map<number, Series>();
  private readonly byHost = new Map<string, Map<number, Series>>();
  private lastArray: readonly unknown[] | undefined;
  private lastArrayCopy: unknown[] = [];
  private lastArraySet: TagSet | undefined;
  private nextId = 1;
  private nextNameId = 1;
  readonly emptyTags: TagSet;
  /** Names or tags that normalization changed (for stats). */
  normalized = 0;
  size = 0;

  constructor(namespace: string, defaultHost: string, constantTags: readonly string[], problem: ProblemSink) {
    this.namespace = namespace;
    this.defaultHost = defaultHost;
    this.constantTags = constantTags;
    this.problem = problem;
    this.emptyTags = this.internTags(normalizeTags(undefined, constantTags).tags);
    this.emptyTags.refs = Number.POSITIVE_INFINITY;
  }

  /** The series for these inputs, created on first use; undefined when the name is unusable. */
  resolve(kind: Kind, rawName: unknown, tags: unknown, host: string | undefined): Series | undefined {
    const entry = this.name(rawName);
    if (entry === undefined) return undefined;
    const tagSet = tags === undefined ? this.emptyTags : this.tagSet(tags);
    // Numeric key: no string building on the hot path. Ids stay below 2^23 (names) and 2^26 (tag sets)
    // for any realistic process; past that keys could collide, so ids are never reused below.
    const key = tagSet.id * 67_108_864 + entry.id * 8 + kind;
    const h = typeof host === 'string' ? host : this.defaultHost;
    const map = this.mapFor(h);
    const found = map.get(key);
    if (found !== undefined) return found;
    const series = new Series(kind, entry, h, tagSet, key);
    entry.refs++;
    tagSet.refs++;
    map.set(key, series);
    this.size++;
    return series;
  }

  /** Forgets a series with no cells left (never a pinned one). */
  remove(series: Series): void {
    if (series.pinned) return;
    const map = this.mapFor(series.host);
    if (map.get(series.key) === series) map.delete(series.key);
    series.hot = undefined;
    this.size--;
    const entry = series.nameEntry;
    if (--entry.refs === 0) {
      entry.dead = true;
      this.names.delete(entry.full);
    }
    const tags = series.tags;
    if (--tags.refs === 0) {
      tags.dead = true;
      this.tagSets.delete(tags.json);
    }
  }

  private mapFor(host: string): Map<number, Series> {
    if (host === this.defaultHost) return this.byKey;
    let map = this.byHost.get(host);
    if (map === undefined) {
      map = new Map();
      this.byHost.set(host, map);
    }
    return map;
  }

  private name(raw: unknown): NameEntry | undefined {
    if (typeof raw !== 'string') {
      this.problem('INVALID_NAME', `metric name must be a string, got ${typeof raw}`);
      return undefined;
    }
    const alias = this.nameAliases.get(raw);
    if (alias !== undefined && !alias.dead) return alias;
    const normalized = normalizeName(raw);
    if (normalized === '') {
      this.problem(
        'INVALID_NAME',
        `metric name ${JSON.stringify(raw.slice(0, 50))} has no usable characters`,
      );
      return undefined;
    }
    if (normalized !== raw) this.normalized++;
    // Datadog's 200-character limit applies to the full name, namespace included.
    const full = fullName(this.namespace, normalized).slice(0, MAX_NAME_LENGTH);
    let entry = this.names.get(full);
    if (entry === undefined) {
      entry = { id: this.nextNameId++, full, refs: 0, dead: false };
      this.names.set(full, entry);
    }
    if (this.nameAliases.size >= ALIAS_CACHE_LIMIT) this.nameAliases.clear();
    this.nameAliases.set(raw, entry);
    return entry;
  }

  private tagSet(input: unknown): TagSet {
    if (Array.isArray(input)) {
      const last = this.lastArraySet;
      if (
        input === this.lastArray &&
        last !== undefined &&
        !last.dead &&
        sameElements(input, this.lastArrayCopy)
      )
        return last;
      const set = this.tagSetFromKey(arrayKey(input), input);
      this.lastArray = input;
      this.lastArrayCopy = input.slice();
      this.lastArraySet = set;
      return set;
    }
    if (typeof input === 'object' && input !== null) return this.tagSetFromKey(objectKey(input), input);
    this.problem('INVALID_TAG', `tags must be an array of strings or an object, got ${typeof input}`);
    return this.emptyTags;
  }

  private tagSetFromKey(key: string | undefined, input: unknown): TagSet {
    const alias = key === undefined ? undefined : this.tagAliases.get(key);
    if (alias !== undefined && !alias.dead) return alias;
    const result = normalizeTags(input, this.constantTags);
    if (result.invalid > 0)
      this.problem('INVALID_TAG', `${result.invalid} tag(s) dropped: not a string or empty`);
    if (result.changed > 0) this.normalized += result.changed;
    const set = this.internTags(result.tags);
    if (key !== undefined) {
      if (this.tagAliases.size >= ALIAS_CACHE_LIMIT) this.tagAliases.clear();
      this.tagAliases.set(key, set);
    }
    return set;
  }

  private internTags(tags: string[]): TagSet {
    const json = JSON.stringify(tags);
    let set = this.tagSets.get(json);
    if (set === undefined) {
      set = { id: this.nextId++, json, refs: 0, dead: false };
      this.tagSets.set(json, set);
    }
    return set;
  }
}

function sameElements(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Alias key of a tag array, or undefined when it holds non-strings (those are never cached). */
function arrayKey(tags: readonly unknown[]): string | undefined {
  for (const t of tags) if (typeof t !== 'string') return undefined;
  return `a${tags.join('\u0000')}`;
}

function objectKey(tags: object): string | undefined {
  let key = 'o';
  for (const k of Object.keys(tags)) {
    const v = (tags as Record<string, unknown>)[k];
    const kind = typeof v;
    if (kind !== 'string' && kind !== 'number' && kind !== 'boolean') return undefined;
    key += `${k}\u0000${kind[0]}${String(v)}\u0000`;
  }
  return key;
}
