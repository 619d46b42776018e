// Metric names: raw spellings → interned (name, kind) entries, and the wire names each entry claims.
// A name belongs to one (name, kind) pair, which claims the names its series go out under (`x`, or
// `x.max`, `x.count`…): a second pair claiming one of them is refused, so two client series never write
// one backend series (DESIGN §12).
import { type Budget, BYTES, chars } from './budget.js';
import type { KindOps } from './kinds/kind.js';
import { fullName, normalizeName, wireName } from './normalize.js';
import type { ProblemSink } from './registry.js';
import type { NameEntry } from './series.js';

/** Past this many raw spellings the name alias caches are cleared (they are only shortcuts). */
const ALIAS_CACHE_LIMIT = 10_000;
/** Raw names longer than this are not cached (a cache entry must stay small). */
export const MAX_ALIAS = 256;
/** Heap bytes of one claim (a Map entry), besides its characters. */
const CLAIM_BYTES = 48;

export class Names {
  /** Per kind: full name → entry, and raw spelling → entry. */
  private readonly entries: Map<string, NameEntry>[] = [];
  private readonly aliases: Map<string, NameEntry>[] = [];
  private aliasBytes = 0;
  private aliasCount = 0;
  /** Wire name → the (name, kind) entry that sends under it. */
  private readonly claims = new Map<string, NameEntry>();
  private nextId = 1;
  /** Names that normalization changed. */
  normalized = 0;

  constructor(
    private readonly namespace: string,
    private readonly problem: ProblemSink,
    private readonly budget: Budget,
  ) {
    for (let i = 0; i < 5; i++) {
      this.entries.push(new Map());
      this.aliases.push(new Map());
    }
  }

  /** The entry for a raw name; undefined (reported) when it is not a usable name. */
  entry(kind: KindOps, raw: unknown): NameEntry | undefined {
    if (typeof raw !== 'string') {
      this.problem('INVALID_NAME', `metric name must be a string, got ${typeof raw}`, undefined);
      return undefined;
    }
    const aliases = this.aliases[kind.id]!;
    const alias = aliases.get(raw);
    if (alias !== undefined && !alias.dead) return alias;
    const normalized = normalizeName(raw);
    if (normalized === '') {
      this.problem(
        'INVALID_NAME',
        `metric name ${JSON.stringify(raw.slice(0, 50))} has no usable characters`,
        raw.slice(0, 200),
      );
      return undefined;
    }
    // Datadog's 200-character limit applies to the full name, namespace included.
    const full = wireName(fullName(this.namespace, normalized), '');
    if (normalized !== raw) {
      this.normalized++;
      this.problem(
        'NAME_NORMALIZED',
        `metric name ${JSON.stringify(raw.slice(0, 200))} is sent as "${full}"`,
        raw.slice(0, 200),
      );
    }
    const entries = this.entries[kind.id]!;
    let entry = entries.get(full);
    if (entry === undefined) {
      entry = { id: this.nextId++, full, kind, wire: [], refs: 0, dead: false };
      entries.set(full, entry);
      this.budget.used += BYTES.name + chars(full);
    }
    if (raw.length <= MAX_ALIAS) {
      if (this.aliasCount >= ALIAS_CACHE_LIMIT) this.clearAliases();
      if (alias === undefined) {
        this.aliasCount++;
        this.aliasBytes += BYTES.alias + chars(raw);
        this.budget.used += BYTES.alias + chars(raw);
      }
      aliases.set(raw, entry);
    }
    return entry;
  }

  /** Claims the wire names of `entry`'s series; false when another (name, kind) sends under one of them. */
  claim(entry: NameEntry, kind: KindOps): boolean {
    if (entry.wire.length > 0) return true;
    const names =
      kind.endpoint === 'series' ? kind.outputs.map((o) => wireName(entry.full, o.suffix)) : [entry.full];
    for (const w of names) {
      const owner = this.claims.get(w);
      if (owner !== undefined && owner !== entry) return false;
    }
    for (const w of names) {
      this.claims.set(w, entry);
      this.budget.used += CLAIM_BYTES + chars(w);
    }
    entry.wire = names.map((w) => JSON.stringify(w));
    return true;
  }

  /** Drops an entry no series uses, with its claims. */
  release(entry: NameEntry): void {
    if (entry.refs > 0 || entry.dead) return;
    entry.dead = true;
    const kind = entry.kind!;
    this.entries[kind.id]!.delete(entry.full);
    this.budget.used -= BYTES.name + chars(entry.full);
    for (const quoted of entry.wire) {
      const w = JSON.parse(quoted) as string;
      if (this.claims.get(w) === entry) {
        this.claims.delete(w);
        this.budget.used -= CLAIM_BYTES + chars(w);
      }
    }
    entry.wire = [];
  }

  /** Frees the alias cache (it holds no data). */
  clearAliases(): void {
    for (const m of this.aliases) m.clear();
    this.budget.used -= this.aliasBytes;
    this.aliasBytes = 0;
    this.aliasCount = 0;
  }
}
