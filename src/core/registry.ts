import { fullName, normalizeName, normalizeTags } from './normalize.js';
import type { Kind } from './rollup.js';
import { type NameEntry, Series, type TagSet } from './series.js';
import { allStrings, objectParts, TagTrie, UNCACHEABLE } from './tag-trie.js';

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
  private readonly byHost = new Map<string, Map<string, Series>>();
  private readonly aliases = new TagTrie<TagSet>();
  private lastArray: readonly unknown[] | undefined;
  private lastArrayCopy: unknown[] | undefined;
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
    const h = typeof host === 'string' ? host : this.defaultHost;
    if (h !== this.defaultHost) return this.resolveOnHost(kind, entry, tagSet, h);
    // Default host: series hang off their tag set (no index entry, no numeric key to box).
    const first = tagSet.series;
    if (first !== undefined && first.nameEntry === entry && first.kind === kind) return first;
    const key = entry.id * 8 + kind;
    const found = tagSet.more?.get(key);
    if (found !== undefined) return found;
    const series = this.create(kind, entry, h, tagSet);
    if (first === undefined) tagSet.series = series;
    else {
      tagSet.more ??= new Map();
      tagSet.more.set(key, series);
    }
    return series;
  }

  /** A host other than the default one (a per-call option, rare): indexed per host by exact ids. */
  private resolveOnHost(kind: Kind, entry: NameEntry, tagSet: TagSet, host: string): Series {
    const key = hostKey(entry.id * 8 + kind, tagSet);
    let map = this.byHost.get(host);
    if (map === undefined) {
      map = new Map();
      this.byHost.set(host, map);
    }
    const found = map.get(key);
    if (found !== undefined) return found;
    const series = this.create(kind, entry, host, tagSet);
    map.set(key, series);
    return series;
  }

  private create(kind: Kind, entry: NameEntry, host: string, tagSet: TagSet): Series {
    entry.refs++;
    tagSet.refs++;
    this.size++;
    return new Series(kind, entry, host, tagSet);
  }

  /** Forgets a series with no cells left (never a pinned one). */
  remove(series: Series): void {
    if (series.pinned) return;
    const tags = series.tags;
    const key = series.nameEntry.id * 8 + series.kind;
    if (series.host === this.defaultHost) {
      if (tags.series === series) tags.series = undefined;
      else if (tags.more?.get(key) === series) {
        tags.more.delete(key);
        if (tags.more.size === 0) tags.more = undefined;
      }
    } else {
      const map = this.byHost.get(series.host);
      const k = hostKey(key, tags);
      if (map?.get(k) === series) map.delete(k);
    }
    series.hot = undefined;
    this.size--;
    const entry = series.nameEntry;
    if (--entry.refs === 0) {
      entry.dead = true;
      this.names.delete(entry.full);
    }
    if (--tags.refs === 0) {
      tags.dead = true;
      this.tagSets.delete(tags.json);
    }
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
      // The same array object again (a hoisted constant): compare it with a copy taken on its first
      // repeat, so an in-place mutation is still noticed. A fresh array (a literal) goes to the trie.
      if (input === this.lastArray) {
        const copy = this.lastArrayCopy;
        const last = this.lastArraySet!;
        if (copy !== undefined && !last.dead && sameElements(input, copy)) return last;
        const set = this.arrayTagSet(input);
        this.lastArrayCopy = input.slice();
        this.lastArraySet = set;
        return set;
      }
      const set = this.arrayTagSet(input);
      this.lastArray = input;
      this.lastArrayCopy = undefined;
      this.lastArraySet = set;
      return set;
    }
    if (typeof input === 'object' && input !== null) return this.objectTagSet(input);
    this.problem('INVALID_TAG', `tags must be an array of strings or an object, got ${typeof input}`);
    return this.emptyTags;
  }

  private arrayTagSet(input: readonly unknown[]): TagSet {
    const found = this.aliases.array(input);
    if (found === UNCACHEABLE) return this.canonical(input);
    if (found !== undefined && !found.dead) return found;
    const set = this.canonical(input);
    if (allStrings(input)) this.aliases.remember(input, set, false);
    return set;
  }

  private objectTagSet(input: object): TagSet {
    const keys = Object.keys(input);
    const record = input as Record<string, unknown>;
    const found = this.aliases.object(keys, record);
    if (found === UNCACHEABLE) return this.canonical(input);
    if (found !== undefined && !found.dead) return found;
    const set = this.canonical(input);
    const parts = objectParts(keys, record);
    // Objects holding other values (never cached) were dropped and reported by normalization.
    if (parts !== undefined) this.aliases.remember(parts, set, true);
    return set;
  }

  /** Normalizes a tags input and interns the result (reports dropped tags). */
  private canonical(input: unknown): TagSet {
    const result = normalizeTags(input, this.constantTags);
    if (result.invalid > 0)
      this.problem('INVALID_TAG', `${result.invalid} tag(s) dropped: not a string or empty`);
    if (result.changed > 0) this.normalized += result.changed;
    return this.internTags(result.tags);
  }

  private internTags(tags: string[]): TagSet {
    const json = JSON.stringify(tags);
    let set = this.tagSets.get(json);
    if (set === undefined) {
      set = { id: this.nextId++, json, refs: 0, dead: false, series: undefined, more: undefined };
      this.tagSets.set(json, set);
    }
    return set;
  }
}

function hostKey(nameKind: number, tags: TagSet): string {
  return `${nameKind}:${tags.id}`;
}

function sameElements(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
