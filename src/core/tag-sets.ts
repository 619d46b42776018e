import { type Budget, BYTES, chars } from './budget.js';
import { normalizeTags } from './normalize.js';
import type { ProblemSink } from './registry.js';
import type { TagSet } from './series.js';
import { allStrings, objectParts, TagTrie, UNCACHEABLE } from './tag-trie.js';

/**
 * Tag sets: every tags input (an array or an object) normalized once, interned by its JSON, and cached
 * by its raw parts (the trie) and by identity (the same array object again: a hoisted constant), so a
 * repeated call does one or two Map lookups and no sorting or normalization.
 */
export class TagSets {
  private readonly constantTags: readonly string[];
  private readonly problem: ProblemSink;
  private readonly budget: Budget;
  private readonly byJson = new Map<string, TagSet>();
  private readonly aliases = new TagTrie<TagSet>();
  private lastArray: readonly unknown[] | undefined;
  private lastArrayCopy: unknown[] | undefined;
  private lastArraySet: TagSet | undefined;
  /** The last array input was small enough for the caches (so it may be held as `lastArray`). */
  private cacheable = false;
  private nextId = 1;
  /** The constant tags alone (never forgotten). */
  readonly empty: TagSet;
  /** Tags that normalization changed (for stats). */
  normalized = 0;

  constructor(constantTags: readonly string[], problem: ProblemSink, budget: Budget) {
    this.constantTags = constantTags;
    this.problem = problem;
    this.budget = budget;
    this.empty = this.internTags(normalizeTags(undefined, constantTags).tags);
    this.empty.refs = Number.POSITIVE_INFINITY;
  }

  /** Drops a tag set no series uses. */
  forget(tags: TagSet): void {
    if (tags.dead) return;
    tags.dead = true;
    this.byJson.delete(tags.json);
    this.budget.used -= BYTES.tagSet + chars(tags.json);
  }

  /** Frees the caches (they hold no data). */
  clearCaches(): void {
    this.budget.used -= this.aliases.bytes;
    this.aliases.reset();
    this.lastArray = undefined;
    this.lastArrayCopy = undefined;
    this.lastArraySet = undefined;
  }

  /** The interned tag set of a tags input (array or object), through the caches. */
  get(input: unknown): TagSet {
    if (Array.isArray(input)) {
      // The same array object again (a hoisted constant): compare it with a copy taken on its first
      // repeat, so an in-place mutation is still noticed. A fresh array (a literal) goes to the trie.
      if (input === this.lastArray) {
        const copy = this.lastArrayCopy;
        const last = this.lastArraySet!;
        if (copy !== undefined && !last.dead && sameElements(input, copy)) return last;
        const set = this.arrayTagSet(input);
        this.lastArrayCopy = this.cacheable ? input.slice() : undefined;
        this.lastArraySet = set;
        return set;
      }
      const set = this.arrayTagSet(input);
      // An input the caches would not keep (a huge tag) is not held here either.
      this.lastArray = this.cacheable ? input : undefined;
      this.lastArrayCopy = undefined;
      this.lastArraySet = set;
      return set;
    }
    if (typeof input === 'object' && input !== null) return this.objectTagSet(input);
    this.problem(
      'INVALID_TAG',
      `tags must be an array of strings or an object, got ${typeof input}`,
      undefined,
    );
    return this.empty;
  }

  private arrayTagSet(input: readonly unknown[]): TagSet {
    const found = this.aliases.array(input);
    this.cacheable = found !== UNCACHEABLE;
    if (found === UNCACHEABLE) return this.canonical(input);
    if (found !== undefined && !found.dead) return found;
    const set = this.canonical(input);
    this.cacheable = allStrings(input) && this.remember(input, set, false);
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
    if (parts !== undefined) this.remember(parts, set, true);
    return set;
  }

  private remember(parts: readonly (string | number | boolean)[], set: TagSet, object: boolean): boolean {
    const before = this.aliases.bytes;
    const kept = this.aliases.remember(parts, set, object);
    this.budget.used += this.aliases.bytes - before;
    return kept;
  }

  /** Normalizes a tags input and interns the result (reports dropped tags). */
  private canonical(input: unknown): TagSet {
    const result = normalizeTags(input, this.constantTags);
    if (result.invalid > 0)
      this.problem('INVALID_TAG', `${result.invalid} tag(s) dropped: not a string or empty`, undefined);
    if (result.changed > 0) this.normalized += result.changed;
    return this.internTags(result.tags);
  }

  private internTags(tags: string[]): TagSet {
    const json = JSON.stringify(tags);
    let set = this.byJson.get(json);
    if (set === undefined) {
      set = { id: this.nextId++, json, refs: 0, dead: false, series: undefined, more: undefined };
      this.byJson.set(json, set);
      this.budget.used += BYTES.tagSet + chars(json);
    }
    return set;
  }
}

function sameElements(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
