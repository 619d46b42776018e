// Recomputes the core's running counters and byte budget from its state, reaching into internals (test
// only): a counter kept by hand that drifts from the state it describes is a bug (0.1 had six of them).
import type { Aggregator } from '../../src/core/aggregator.js';
import { BYTES, chars } from '../../src/core/budget.js';
import type { Rec } from '../../src/core/rec.js';
import type { NameEntry, Series, TagSet } from '../../src/core/series.js';
import type { TagTrie } from '../../src/core/tag-trie.js';

interface RegistryInternals {
  tags: { byJson: Map<string, TagSet>; aliases: TagTrie<TagSet> };
  byHost: Map<string, Map<string, Series>>;
  names: { entries: Map<string, NameEntry>[]; claims: Map<string, NameEntry>; aliasBytes: number };
}

interface ColumnsInternals {
  byBucket: Map<number, Map<Series, unknown>>;
}

export function allSeries(agg: Aggregator): Series[] {
  const reg = agg.registry as unknown as RegistryInternals;
  const out = new Set<Series>();
  for (const t of reg.tags.byJson.values()) {
    if (t.series !== undefined) out.add(t.series);
    for (const s of t.more?.values() ?? []) out.add(s);
  }
  for (const m of reg.byHost.values()) for (const s of m.values()) out.add(s);
  return [...out];
}

export interface Audit {
  pending: number;
  retained: number;
  bytes: number;
  problems: string[];
}

/** What the counters should be, from the state; `problems` lists broken structural invariants. */
export function audit(agg: Aggregator): Audit {
  const reg = agg.registry as unknown as RegistryInternals;
  const columns = agg.store.columns as unknown as ColumnsInternals;
  const problems: string[] = [];
  let pending = 0;
  let retained = 0;
  let bytes = 0;
  const series = allSeries(agg);
  const columnCount = new Map<Series, number>();
  // The drainer's cached series order: a pointer per series of the last drain.
  const drainer = (agg as unknown as { drainer: { lastOrder: readonly Series[] } }).drainer;
  bytes += 8 * drainer.lastOrder.length;
  for (const [bucket, column] of columns.byBucket) {
    bytes += 256;
    for (const [s, compact] of column) {
      columnCount.set(s, (columnCount.get(s) ?? 0) + 1);
      retained++;
      bytes += BYTES.column + s.kind.weighCompact(compact);
      if (!series.includes(s)) problems.push(`column ${bucket} holds an unregistered series ${s.name}`);
    }
  }
  for (const s of series) {
    bytes += BYTES.series;
    if (s.host !== (agg.cfg.host ?? '')) bytes += BYTES.hostIndex + chars(s.host);
    if ((columnCount.get(s) ?? 0) !== s.columns)
      problems.push(`${s.name}: columns ${s.columns} ≠ ${columnCount.get(s) ?? 0}`);
    const recs: Rec[] = [...(s.cur === undefined ? [] : [s.cur]), ...(s.older ?? [])];
    const buckets = new Set<number>();
    for (const r of recs) {
      if (r.dead) problems.push(`${s.name}@${r.b}: a dead record is still attached`);
      if (buckets.has(r.b)) problems.push(`${s.name}@${r.b}: two records for one bucket`);
      buckets.add(r.b);
      if (columns.byBucket.get(r.b)?.has(s)) problems.push(`${s.name}@${r.b}: a record and a column entry`);
      if (r.p !== undefined) pending += s.kind.points(r.p);
      if (r.a !== undefined) retained++;
      if (r.flying !== 0) problems.push(`${s.name}@${r.b}: ${r.flying} pieces still in flight`);
      if (r.s !== undefined) problems.push(`${s.name}@${r.b}: a sealed state outside a flush`);
      let expect = BYTES.rec;
      if (r.p !== undefined) expect += s.kind.weigh(r.p);
      if (r.a !== undefined) expect += s.kind.weighCompact(r.a);
      if (r.bytes !== expect) problems.push(`${s.name}@${r.b}: record bytes ${r.bytes} ≠ ${expect}`);
      bytes += r.bytes;
      if (r.p !== undefined && !r.queued)
        problems.push(`${s.name}@${r.b}: pending but not in the dirty list`);
    }
    if (recs.length === 0 && s.columns === 0 && s.pins === 0 && s.floor === Number.NEGATIVE_INFINITY)
      problems.push(`${s.name}: an empty series is still registered`);
  }
  for (const t of reg.tags.byJson.values()) bytes += BYTES.tagSet + chars(t.json) + (t.more?.size ?? 0) * 40;
  for (const m of reg.names.entries) for (const e of m.values()) bytes += BYTES.name + chars(e.full);
  for (const w of reg.names.claims.keys()) bytes += 48 + chars(w);
  bytes += reg.names.aliasBytes + reg.tags.aliases.bytes;
  return { pending, retained, bytes, problems };
}
