// The alias cache behind series identity: raw tags inputs (arrays: their elements; objects: key, value,
// key, value…) mapped to their interned tag set without joining them into a string key.

/** One step of a raw tags input: an array element, or an object's key or value. */
export type Part = string | number | boolean;

/** Returned by a lookup for an input that is never cached (it holds other values than parts). */
export const UNCACHEABLE: unique symbol = Symbol('uncacheable');

/** Past this many remembered inputs the trie starts over (it is only a shortcut). */
const LIMIT = 10_000;
/** Inputs with a longer part, or more parts, are not remembered (a cache entry must stay small). */
const MAX_PART = 256;
const MAX_PARTS = 64;
/** Heap bytes of one trie node (estimate). */
const NODE_BYTES = 96;

/**
 * A prefix in the trie. Parts are compared by value. The last part leads to the value directly (a leaf
 * costs one slot, not a node). The first child and the first leaf are kept inline: most positions only
 * ever see one value.
 */
interface Node<V> {
  /** The value of the empty input (root only). */
  set: V | undefined;
  key: Part | undefined;
  child: Node<V> | undefined;
  next: Map<Part, Node<V>> | undefined;
  leafKey: Part | undefined;
  leafSet: V | undefined;
  leaves: Map<Part, V> | undefined;
}

function node<V>(): Node<V> {
  return {
    set: undefined,
    key: undefined,
    child: undefined,
    next: undefined,
    leafKey: undefined,
    leafSet: undefined,
    leaves: undefined,
  };
}

/** Raw tags inputs seen before, by their parts: a repeat costs at most one Map lookup per part. */
export class TagTrie<V> {
  private arrays = node<V>();
  private objects = node<V>();
  private size = 0;
  /** Heap bytes held (estimate): nodes plus the characters of the parts they keep. */
  bytes = 0;

  /** Forgets everything (it is only a cache). */
  reset(): void {
    this.arrays = node();
    this.objects = node();
    this.size = 0;
    this.bytes = 0;
  }

  /** The value remembered for this array, undefined if none, UNCACHEABLE if it holds non-strings. */
  array(input: readonly unknown[]): V | undefined | typeof UNCACHEABLE {
    let n: Node<V> | undefined = this.arrays;
    const last = input.length - 1;
    for (let i = 0; i < last && n !== undefined; i++) {
      const tag = input[i];
      if (typeof tag !== 'string') return UNCACHEABLE;
      n = n.key === tag ? n.child : n.next?.get(tag);
    }
    if (last < 0) return n!.set;
    if (n === undefined) return undefined;
    const tag = input[last];
    if (typeof tag !== 'string') return UNCACHEABLE;
    return n.leafKey === tag ? n.leafSet : n.leaves?.get(tag);
  }

  /** The value remembered for this object's entries, undefined if none, UNCACHEABLE for other values. */
  object(keys: readonly string[], record: Record<string, unknown>): V | undefined | typeof UNCACHEABLE {
    let n: Node<V> | undefined = this.objects;
    let found: V | undefined = keys.length === 0 ? n.set : undefined;
    const last = keys.length - 1;
    for (let i = 0; i <= last && n !== undefined; i++) {
      const key = keys[i]!;
      const value = record[key];
      n = n.key === key ? n.child : n.next?.get(key);
      if (n === undefined) break;
      if (!isPart(value)) return UNCACHEABLE;
      if (i < last) n = n.key === value ? n.child : n.next?.get(value);
      else found = n.leafKey === value ? n.leafSet : n.leaves?.get(value);
    }
    return found;
  }

  /** Remembers `parts` → `value`; false when the input is too large to keep. */
  remember(parts: readonly Part[], value: V, object: boolean): boolean {
    if (parts.length > MAX_PARTS) return false;
    for (const part of parts) if (typeof part === 'string' && part.length > MAX_PART) return false;
    if (this.size >= LIMIT) this.reset();
    let n = object ? this.objects : this.arrays;
    const last = parts.length - 1;
    if (last < 0) {
      n.set = value;
      return true;
    }
    for (let i = 0; i < last; i++) {
      const tag = parts[i]!;
      let next = n.key === tag ? n.child : n.next?.get(tag);
      if (next === undefined) {
        next = node();
        this.bytes += NODE_BYTES + partBytes(tag);
        if (n.key === undefined) {
          n.key = tag;
          n.child = next;
        } else {
          n.next ??= new Map();
          n.next.set(tag, next);
        }
      }
      n = next;
    }
    const tag = parts[last]!;
    if (n.leafKey === undefined || n.leafKey === tag) {
      if (n.leafKey === undefined) {
        this.size++;
        this.bytes += partBytes(tag);
      }
      n.leafKey = tag;
      n.leafSet = value;
    } else {
      n.leaves ??= new Map();
      if (!n.leaves.has(tag)) {
        this.size++;
        this.bytes += 48 + partBytes(tag);
      }
      n.leaves.set(tag, value);
    }
    return true;
  }
}

function partBytes(part: Part): number {
  return typeof part === 'string' ? 16 + 2 * part.length : 16;
}

export function allStrings(tags: readonly unknown[]): tags is readonly string[] {
  for (const t of tags) if (typeof t !== 'string') return false;
  return true;
}

function isPart(value: unknown): value is Part {
  const kind = typeof value;
  return kind === 'string' || kind === 'number' || kind === 'boolean';
}

/** key, value, key, value… of a tags object; undefined when a value is not a string, number or boolean. */
export function objectParts(keys: readonly string[], record: Record<string, unknown>): Part[] | undefined {
  const parts: Part[] = [];
  for (const key of keys) {
    const value = record[key];
    if (!isPart(value)) return undefined;
    parts.push(key, value);
  }
  return parts;
}
