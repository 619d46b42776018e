// What gives way when the client is full (DESIGN §11), in this order: caches (no data), sent records of
// the oldest buckets (history: later points for them are refused per series), idle series (their floors
// live on), then the oldest unsent points (counted as overflow). Never a record in flight.
import type { Rec } from './rec.js';
import type { RecordStore } from './records.js';

/** Shedding frees a tenth more than asked, so a full buffer does not shed on every point. */
const SHED_SLACK = 0.9;

/** Forgets idle series (oldest first) while `more()`: their floors live on in `forgottenFloor`. */
export function shedIdle(store: RecordStore, more: () => boolean): void {
  let i = 0;
  for (; i < store.idle.length && more(); i++) {
    const series = store.idle[i]!;
    series.idle = false;
    if (series.cur !== undefined || series.older !== undefined || series.columns > 0 || series.pins > 0)
      continue;
    if (series.floor > store.forgottenFloor) store.forgottenFloor = series.floor;
    series.floor = Number.NEGATIVE_INFINITY;
    store.hooks.forget(series);
  }
  store.idle.splice(0, i);
}

/** Makes room after `protect` grew past the byte budget: caches, then sent records, then unsent points. */
export function shed(store: RecordStore, protect: Rec): void {
  store.hooks.shedCaches();
  if (!store.budget.over) return;
  const target = store.budget.max * SHED_SLACK;
  const more = (): boolean => store.budget.used > target;
  const n = store.columns.forget(more, undefined, (s) => store.tidySeries(s));
  store.retained -= n;
  if (n > 0) store.hooks.evicted(n);
  shedIdle(store, more);
  if (!store.budget.over) return;
  shedOldestUnsent(store, more, Number.POSITIVE_INFINITY, protect);
}

/** Makes room for one more unsent point in `bucket`: drops unsent points of older buckets only. */
export function shedPending(store: RecordStore, bucket: number, protect: Rec): boolean {
  const target = Math.floor(store.cfg.maxBufferedPoints * SHED_SLACK);
  shedOldestUnsent(store, () => store.pending > target, bucket, protect);
  return store.pending < store.cfg.maxBufferedPoints;
}

/** Frees retained records, oldest first: columns, then inline sent records. */
export function shedRetained(store: RecordStore, count: number): void {
  let left = count;
  const n = store.columns.forget(
    () => left-- > 0,
    undefined,
    (s) => store.tidySeries(s),
  );
  store.retained -= n;
  if (n > 0) store.hooks.evicted(n);
}

/** Drops unsent points of the oldest buckets before `before` (never in flight, never `protect`'s). */
function shedOldestUnsent(store: RecordStore, more: () => boolean, before: number, protect: Rec): void {
  const candidates = store.dirty.filter(
    (r) => !r.dead && r.p !== undefined && r.flying === 0 && r !== protect && r.b < before,
  );
  candidates.sort((x, y) => x.b - y.b);
  for (const rec of candidates) {
    if (!more()) break;
    store.losePending(rec, 'overflow');
  }
  compactDirty(store);
}

/** Removes stale entries from the dirty list once they are half of it. */
function compactDirty(store: RecordStore): void {
  let stale = 0;
  for (const r of store.dirty) if (r.dead || (r.p === undefined && !r.echo)) stale++;
  if (stale * 2 < store.dirty.length) return;
  store.dirty = store.dirty.filter((r) => {
    const keep = !r.dead && (r.p !== undefined || r.echo);
    if (!keep) r.queued = false;
    return keep;
  });
}
