import { type Budget, BYTES, chars } from './budget.js';
import type { KindOps } from './kinds/kind.js';
import { fullName, normalizeHost, normalizeName, wireName } from './normalize.js';
import { type NameEntry, Series, type TagSet } from './series.js';
import { TagSets } from './tag-sets.js';

export type RegistryProblem =
  | 'INVALID_NAME'
  | 'INVALID_TAG'
  | 'INVALID_HOST'
  | 'NAME_NORMALIZED'
  | 'NAME_COLLISION';
export type ProblemSink = (code: RegistryProblem, detail: string, metric: string | undefined) => void;

/** Past this many raw spellings the name alias caches are cleared (they are only shortcuts). */
const ALIAS_CACHE_LIMIT = 10_000;
/** Raw names longer than this are not cached (a cache entry must stay small). */
const MAX_ALIAS = 256;

/**
 * Series identity. Raw names and tag inputs are cached as aliases of interned canonical entries, so a
 * repeated call does one or two Map lookups and no sorting or normalization. A name belongs to one
 * (name, kind) pair, which claims the wire names its series go out under (`x`, or `x.max`, `x.count`…):
 * a second pair claiming one of them is refused, so two client series never write one backend series.
 */
export class Registry {
  private readonly namespace: string;
  private readonly defaultHost: string;
  private readonly problem: ProblemSink;
  private readonly budget: Budget;
  private readonly floor: () => number;
  /** Per kind: full name → entry, and raw spelling → entry. */
  private readonly names: Map<string, NameEntry>[] = [];
  private readonly nameAliases: Map<string, NameEntry>[] = [];
  private aliasBytes = 0;
  private aliasCount = 0;
  /** Wire name → the (name, kind) entry that sends under it. */
  private readonly claims = new Map<string, NameEntry>();
  private readonly byHost = new Map<string, Map<string, Series>>();
  /** Raw per-call host → the host sent. */
  private readonly hosts = new Map<string, string>();
  private readonly tags: TagSets;
  private nextNameId = 1;
  readonly emptyTags: TagSet;
  /** Names that normalization changed (tags: see `normalized`). */
  private namesNormalized = 0;
  size = 0;
  /** Names or tags that normalization changed (for stats). */
  get normalized(): number {
    return this.namesNormalized + this.tags.normalized;
  }

  /** Why the last `resolve` returned undefined. */
  refused: 'invalid' | 'collision' = 'invalid';

  constructor(
    namespace: string,
    defaultHost: string,
    constantTags: readonly string[],
    problem: ProblemSink,
    budget: Budget,
    /** The floor a new series starts with (see RecordStore.forgottenFloor). */
    floor: () => number = () => Number.NEGATIVE_INFINITY,
  ) {
    this.floor = floor;
    this.namespace = namespace;
    this.defaultHost = defaultHost;
    this.problem = problem;
    this.budget = budget;
    for (let i = 0; i < 5; i++) {
      this.names.push(new Map());
      this.nameAliases.push(new Map());
    }
    this.tags = new TagSets(constantTags, problem, budget);
    this.emptyTags = this.tags.empty;
  }

  /** The series for these inputs, created on first use; undefined (reported) when it cannot be. */
  resolve(kind: KindOps, rawName: unknown, tags: unknown, host: string | undefined): Series | undefined {
    const entry = this.name(kind, rawName);
    if (entry === undefined) return undefined;
    const tagSet = tags === undefined ? this.emptyTags : this.tags.get(tags);
    const h = host === undefined || host === this.defaultHost ? this.defaultHost : this.host(host);
    if (h !== this.defaultHost) return this.resolveOnHost(kind, entry, tagSet, h);
    // Default host: series hang off their tag set (no index entry, no numeric key to box).
    const first = tagSet.series;
    if (first !== undefined && first.nameEntry === entry) return first;
    const key = entry.id * 8 + kind.id;
    const found = tagSet.more?.get(key);
    if (found !== undefined) return found;
    const series = this.create(kind, entry, h, tagSet);
    if (series === undefined) return undefined;
    if (first === undefined) tagSet.series = series;
    else {
      tagSet.more ??= new Map();
      tagSet.more.set(key, series);
      this.budget.used += 40;
    }
    return series;
  }

  /** A per-call host as it will be sent (cached: hosts are few); unusable ones are cleaned, reported. */
  private host(raw: unknown): string {
    if (typeof raw !== 'string') {
      this.problem(
        'INVALID_HOST',
        `host must be a string, got ${typeof raw}: the default host is used`,
        undefined,
      );
      return this.defaultHost;
    }
    const known = this.hosts.get(raw);
    if (known !== undefined) return known;
    const clean = normalizeHost(raw);
    if (clean !== raw)
      this.problem(
        'INVALID_HOST',
        `host ${JSON.stringify(clean.slice(0, 60))} was cleaned (control characters, length)`,
        undefined,
      );
    if (this.hosts.size >= 1000) this.hosts.clear();
    if (raw.length <= MAX_ALIAS) this.hosts.set(raw, clean);
    return clean;
  }

  /** A host other than the default one (a per-call option, rare): indexed per host by exact ids. */
  private resolveOnHost(kind: KindOps, entry: NameEntry, tagSet: TagSet, host: string): Series | undefined {
    const key = `${entry.id * 8 + kind.id}:${tagSet.id}`;
    const found = this.byHost.get(host)?.get(key);
    if (found !== undefined) return found;
    const series = this.create(kind, entry, host, tagSet);
    if (series === undefined) return undefined;
    let map = this.byHost.get(host);
    if (map === undefined) {
      map = new Map();
      this.byHost.set(host, map);
    }
    map.set(key, series);
    this.budget.used += BYTES.hostIndex + chars(host);
    return series;
  }

  private create(kind: KindOps, entry: NameEntry, host: string, tagSet: TagSet): Series | undefined {
    if (!this.claim(entry, kind)) {
      this.refused = 'collision';
      this.problem(
        'NAME_COLLISION',
        `metric "${entry.full}" would be sent under a name another metric already uses (a ${kindName(kind)} beside another kind): its points are dropped`,
        entry.full,
      );
      this.release(entry);
      if (tagSet.refs === 0) this.tags.forget(tagSet);
      return undefined;
    }
    entry.refs++;
    tagSet.refs++;
    this.size++;
    this.budget.used += BYTES.series;
    const series = new Series(kind, entry, host, tagSet);
    series.floor = this.floor();
    return series;
  }

  /** Claims the wire names of `entry`'s series; false when another (name, kind) sends under one of them. */
  private claim(entry: NameEntry, kind: KindOps): boolean {
    if (entry.wire.length > 0) return true;
    const names =
      kind.endpoint === 'series' ? kind.outputs.map((o) => wireName(entry.full, o.suffix)) : [entry.full];
    for (const w of names) {
      const owner = this.claims.get(w);
      if (owner !== undefined && owner !== entry) return false;
    }
    for (const w of names) {
      this.claims.set(w, entry);
      this.budget.used += 48 + chars(w);
    }
    entry.wire = names.map((w) => JSON.stringify(w));
    return true;
  }

  /** Forgets a series with nothing left (never one a bound instrument holds). */
  remove(series: Series): void {
    if (series.pins > 0 || series.gone) return;
    series.gone = true;
    const tags = series.tags;
    const key = series.nameEntry.id * 8 + series.kind.id;
    if (series.host === this.defaultHost) {
      if (tags.series === series) tags.series = undefined;
      else if (tags.more?.get(key) === series) {
        tags.more.delete(key);
        this.budget.used -= 40;
        if (tags.more.size === 0) tags.more = undefined;
      }
    } else {
      const map = this.byHost.get(series.host);
      const k = `${key}:${tags.id}`;
      if (map?.get(k) === series) {
        map.delete(k);
        this.budget.used -= BYTES.hostIndex + chars(series.host);
        if (map.size === 0) this.byHost.delete(series.host);
      }
    }
    this.size--;
    this.budget.used -= BYTES.series;
    const entry = series.nameEntry;
    entry.refs--;
    this.release(entry);
    if (--tags.refs === 0) this.tags.forget(tags);
  }

  /** Drops a name entry no series uses, with its claims. */
  private release(entry: NameEntry): void {
    if (entry.refs > 0 || entry.dead) return;
    entry.dead = true;
    const kind = entry.kind!;
    this.names[kind.id]!.delete(entry.full);
    this.budget.used -= BYTES.name + chars(entry.full);
    for (const quoted of entry.wire) {
      const w = JSON.parse(quoted) as string;
      if (this.claims.get(w) === entry) {
        this.claims.delete(w);
        this.budget.used -= 48 + chars(w);
      }
    }
    entry.wire = [];
  }

  /** Frees the alias caches (they hold no data): the first thing to go when memory is short. */
  clearAliases(): void {
    for (const m of this.nameAliases) m.clear();
    this.budget.used -= this.aliasBytes;
    this.aliasBytes = 0;
    this.aliasCount = 0;
    this.tags.clearCaches();
  }

  private name(kind: KindOps, raw: unknown): NameEntry | undefined {
    if (typeof raw !== 'string') {
      this.refused = 'invalid';
      this.problem('INVALID_NAME', `metric name must be a string, got ${typeof raw}`, undefined);
      return undefined;
    }
    const aliases = this.nameAliases[kind.id]!;
    const alias = aliases.get(raw);
    if (alias !== undefined && !alias.dead) return alias;
    const normalized = normalizeName(raw);
    if (normalized === '') {
      this.refused = 'invalid';
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
      this.namesNormalized++;
      this.problem(
        'NAME_NORMALIZED',
        `metric name ${JSON.stringify(raw.slice(0, 200))} is sent as "${full}"`,
        raw.slice(0, 200),
      );
    }
    const names = this.names[kind.id]!;
    let entry = names.get(full);
    if (entry === undefined) {
      entry = { id: this.nextNameId++, full, kind, wire: [], refs: 0, dead: false };
      names.set(full, entry);
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
}

function kindName(kind: KindOps): string {
  return ['count', 'gauge', 'set', 'histogram', 'distribution'][kind.id]!;
}
