// Datadog's rules, applied here so two spellings of one series merge in-process instead of
// colliding at the backend. Names: start with a letter, [A-Za-z0-9_.], others → '_', ≤ 200 chars.
// Tags: lowercase, start with a letter, letters (Unicode), digits, '_', '-', ':', '.', '/', others → '_',
// ≤ 200 chars, no trailing ':'.

const MAX_LENGTH = 200;
const NAME_OK = /^[A-Za-z][A-Za-z0-9_.]{0,199}$/;
const TAG_OK = /^[a-z][a-z0-9_\-:./]{0,199}$/;

/** Past this many characters a raw name is cut and the rest stands in as a hash. */
const MAX_RAW_NAME = 1000;

/**
 * Normalized metric name, or '' when nothing usable is left. Not cut to 200 characters: `wireName` does
 * that, keeping a hash of the whole name so that two long names stay two series.
 */
export function normalizeName(raw: string): string {
  if (NAME_OK.test(raw) && !raw.includes('__') && !raw.endsWith('_')) return raw;
  const cut = raw.length > MAX_RAW_NAME;
  let out = (cut ? raw.slice(0, MAX_RAW_NAME) : raw).replace(/[^A-Za-z0-9_.]+/g, '_').replace(/_{2,}/g, '_');
  out = out.replace(/^[^A-Za-z]+/, '').replace(/_+$/, '');
  return cut && out !== '' ? `${out}_${hash(raw)}` : out;
}

/** FNV-1a over UTF-16 units, as 8 hex digits: tells long names apart once they are cut. */
export function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/**
 * The name a series goes out under: `name` or `name.suffix`, at most 200 characters. A longer one is cut
 * and keeps a hash of the whole name, so names that differ past the cut never merge at the backend.
 */
export function wireName(name: string, suffix: string): string {
  const whole = suffix === '' ? name : `${name}.${suffix}`;
  if (whole.length <= MAX_LENGTH) return whole;
  const tail = `_${hash(name)}${suffix === '' ? '' : `.${suffix}`}`;
  return name.slice(0, MAX_LENGTH - tail.length).replace(/[._]+$/, '') + tail;
}

/** Normalized tag, or '' when nothing usable is left. */
export function normalizeTag(raw: string): string {
  if (TAG_OK.test(raw) && !raw.endsWith(':') && !raw.includes('__')) return raw;
  // Only the first 200 characters survive; normalizing a megabyte to keep them would be wasted work.
  let out = (raw.length > 4 * MAX_LENGTH ? raw.slice(0, 4 * MAX_LENGTH) : raw)
    .toLowerCase()
    .replace(/[^\p{L}\p{N}_\-:./]+/gu, '_');
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

/** Longest host name sent (DNS allows 253; Datadog shows up to 255). */
const MAX_HOST = 255;
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
const HOST_CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** A per-call host, made safe to send: no control characters, no lone surrogates, at most 255 units. */
export function normalizeHost(raw: string): string {
  let out = (raw.length > 4 * MAX_HOST ? raw.slice(0, 4 * MAX_HOST) : raw)
    .replace(HOST_CONTROL, '')
    .replace(LONE_SURROGATE, '\ufffd')
    .trim();
  if (out.length > MAX_HOST) {
    out = out.slice(0, MAX_HOST);
    if (/[\uD800-\uDBFF]$/.test(out)) out = out.slice(0, -1);
  }
  return out;
}
