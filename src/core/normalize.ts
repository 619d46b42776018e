// Datadog's rules, applied here so two spellings of one series merge in-process instead of
// colliding at the backend. Names: start with a letter, [A-Za-z0-9_.], others → '_', ≤ 200 chars.
// Tags: lowercase, start with a letter, letters (Unicode), digits, '_', '-', ':', '.', '/', others → '_',
// ≤ 200 chars, no trailing ':'.

const MAX_LENGTH = 200;
const NAME_OK = /^[A-Za-z][A-Za-z0-9_.]{0,199}$/;
const TAG_OK = /^[a-z][a-z0-9_\-:./]{0,199}$/;

/** Normalized metric name, or '' when nothing usable is left. */
export function normalizeName(raw: string): string {
  if (NAME_OK.test(raw) && !raw.includes('__') && !raw.endsWith('_')) return raw;
  let out = raw.replace(/[^A-Za-z0-9_.]+/g, '_').replace(/_{2,}/g, '_');
  out = out.replace(/^[^A-Za-z]+/, '');
  if (out.length > MAX_LENGTH) out = out.slice(0, MAX_LENGTH);
  return out.replace(/_+$/, '');
}

/** Normalized tag, or '' when nothing usable is left. */
export function normalizeTag(raw: string): string {
  if (TAG_OK.test(raw) && !raw.endsWith(':') && !raw.includes('__')) return raw;
  let out = raw.toLowerCase().replace(/[^\p{L}\p{N}_\-:./]+/gu, '_');
  out = out.replace(/_{2,}/g, '_').replace(/^[^\p{L}]+/u, '');
  if (out.length > MAX_LENGTH) {
    out = out.slice(0, MAX_LENGTH);
    // Never cut a surrogate pair in half.
    if (/[\uD800-\uDBFF]$/.test(out)) out = out.slice(0, -1);
  }
  return out.replace(/[_:]+$/, '');
}

/** Joins a namespace and a name the way the series identity needs it. */
export function fullName(namespace: string, name: string): string {
  return namespace === '' ? name : `${namespace}.${name}`;
}

export interface NormalizedTags {
  /** Sorted, de-duplicated, normalized. */
  tags: string[];
  /** Count of input tags that were dropped (empty after normalization or not a string). */
  invalid: number;
  /** Count of input tags that normalization changed. */
  changed: number;
}

/** Normalizes user tags (array or object) and merges them with already-normalized constant tags. */
export function normalizeTags(input: unknown, constant: readonly string[]): NormalizedTags {
  const set = new Set<string>(constant);
  let invalid = 0;
  let changed = 0;
  const add = (raw: string): void => {
    const tag = normalizeTag(raw);
    if (tag === '') invalid++;
    else {
      if (tag !== raw) changed++;
      set.add(tag);
    }
  };
  if (Array.isArray(input)) {
    for (const raw of input) {
      if (typeof raw === 'string') add(raw);
      else invalid++;
    }
  } else if (input !== undefined && input !== null) {
    if (typeof input !== 'object') invalid++;
    else {
      for (const key of Object.keys(input)) {
        const value = (input as Record<string, unknown>)[key];
        const kind = typeof value;
        if (kind === 'string' || kind === 'number' || kind === 'boolean') add(`${key}:${String(value)}`);
        else invalid++;
      }
    }
  }
  return { tags: [...set].sort(), invalid, changed };
}

/** Parses `DD_TAGS` (comma- or space-separated `key:value` list). */
export function parseTagList(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(/[,\s]+/)
    .map((t) => t.trim())
    .filter((t) => t !== '');
}
