import { type Budget, BYTES, chars } from './budget.js';
import type { KindOps } from './kinds/kind.js';
import { MAX_ALIAS, Names } from './names.js';
import { normalizeHost } from './normalize.js';
import { type NameEntry, Series, type TagSet } from './series.js';
import { TagSets } from './tag-sets.js';

export type RegistryProblem =
  | 'INVALID_NAME'
  | 'INVALID_TAG'
  | 'INVALID_HOST'
  | 'NAME_NORMALIZED'
  | 'NAME_COLLISION';
export type ProblemSink = (code: RegistryProblem, detail: string, metric: string | undefined) => void;

/**
 * Series identity. Raw names (names.ts) and tag inputs (tag-sets.ts) are cached as aliases of interned
 * canonical entries, so a repeated call does one or two Map lookups and no sorting or normalization.
 * A series is created only once its name has claimed its wire names (see Names.claim).
 */
export class Registry {
  private readonly defaultHost: string;
  private readonly problem: ProblemSink;
  private readonly budget: Budget;
  private readonly floor: () => number;
  private readonly names: Names;
  private readonly byHost = new Map<string, Map<string, Series>>();
  /** Raw per-call host → the host sent. */
  private readonly hosts = new Map<string, string>();
  private readonly tags: TagSets;
  readonly emptyTags: TagSet;
  size = 0;
  /** Names or tags that normalization changed (for stats). */
  get normalized(): number {
    return this.names.normalized + this.tags.normalized;
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
    this.defaultHost = defaultHost;
    this.problem = problem;
    this.budget = budget;
    this.names = new Names(namespace, problem, budget);
    this.tags = new TagSets(constantTags, problem, budget);
    this.emptyTags = this.tags.empty;
  }

  /** The series for these inputs, created on first use; undefined (reported) when it cannot be. */
  resolve(kind: KindOps, rawName: unknown, tags: unknown, host: string | undefined): Series | undefined {
    const entry = this.names.entry(kind, rawName);
    if (entry === undefined) {
      this.refused = 'invalid';
      return undefined;
    }
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
    if (!this.names.claim(entry, kind)) {
      this.refused = 'collision';
      this.problem(
        'NAME_COLLISION',
        `metric "${entry.full}" would be sent under a name another metric already uses (a ${kindName(kind)} beside another kind): its points are dropped`,
        entry.full,
      );
      this.names.release(entry);
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
    this.names.release(entry);
    if (--tags.refs === 0) this.tags.forget(tags);
  }

  /** Frees the alias caches (they hold no data): the first thing to go when memory is short. */
  clearAliases(): void {
    this.names.clearAliases();
    this.tags.clearCaches();
  }
}

function kindName(kind: KindOps): string {
  return ['count', 'gauge', 'set', 'histogram', 'distribution'][kind.id]!;
}
