import { type DrainConfig, type Drained, type DrainHooks, type Entry, type Outcome, Piece } from './piece.js';
import type { Rec } from './rec.js';
import type { RecordStore } from './records.js';
import { MAX_BODY_CHARS, type WireFormat } from './serialize.js';
import { compareSeries, type Series } from './series.js';
import { bucketStart } from './window.js';

/** Values per piece of a distribution record, so that one entry always fits a request. */
const MAX_PIECE_VALUES = 20_000;

/** Takes what should be sent from the store's dirty list, and settles what came back. */
export class Drainer {
  private readonly store: RecordStore;
  private readonly cfg: DrainConfig;
  private readonly format: WireFormat;
  private readonly hooks: DrainHooks;
  /**
   * The series of the last drain, sorted. Handlers that record the same series every invocation drain
   * the same set every flush: the order is reused instead of sorted again (sorting 1,000 series cost half
   * of such a flush). Held in the byte budget (a pointer each); a forgotten series stays referenced until
   * the next drain that differs.
   */
  private lastOrder: Series[] = [];

  constructor(store: RecordStore, cfg: DrainConfig, format: WireFormat, hooks: DrainHooks) {
    this.store = store;
    this.cfg = cfg;
    this.format = format;
    this.hooks = hooks;
  }

  /**
   * Seals every dirty record (only closed buckets unless `includeOpen`) into entries. Both window edges
   * are checked here: aged-out points are dropped (expired), points too far ahead (a clock stepped back)
   * are dropped (outOfWindow). Nothing is committed: `settle` does that per outcome.
   */
  drain(nowSeconds: number, includeOpen: boolean): Drained {
    const store = this.store;
    store.sweep(nowSeconds);
    const oldest = nowSeconds - this.cfg.maxPastSeconds;
    const newest = nowSeconds + this.cfg.maxFutureSeconds;
    const openFrom = includeOpen ? Number.POSITIVE_INFINITY : bucketStart(nowSeconds, this.cfg.interval);
    const list = store.dirty;
    store.dirty = [];
    const bySeries = new Map<Series, Piece[]>();
    for (const rec of list) {
      if (rec.dead) continue;
      if (rec.p === undefined && !rec.echo) {
        rec.queued = false;
      } else if (rec.flying > 0 || rec.b >= openFrom) {
        store.dirty.push(rec);
      } else if (rec.b < oldest || rec.b > newest) {
        rec.queued = false;
        rec.echo = false;
        store.losePending(rec, rec.b < oldest ? 'expired' : 'outOfWindow');
        if (rec.b < oldest) store.forgetSent(rec);
        store.settled(rec, nowSeconds);
      } else {
        rec.queued = false;
        const pieces = bySeries.get(rec.series);
        if (pieces === undefined) bySeries.set(rec.series, this.seal(rec, []));
        else this.seal(rec, pieces);
      }
    }
    const out: Drained = { series: [], distributions: [] };
    // Sorted, so the same points serialize the same whatever order they were recorded in.
    for (const series of this.ordered(bySeries)) {
      const pieces = bySeries.get(series)!;
      if (pieces.length === 0) continue;
      if (pieces.length > 1) pieces.sort((x, y) => x.rec.b - y.rec.b);
      this.entries(series, pieces, series.kind.endpoint === 'series' ? out.series : out.distributions);
    }
    return out;
  }

  /** The keys of `bySeries` in `compareSeries` order: the last drain's order when it holds the same set. */
  private ordered(bySeries: Map<Series, Piece[]>): readonly Series[] {
    const last = this.lastOrder;
    if (last.length === bySeries.size && last.every((series) => bySeries.has(series))) return last;
    const order = [...bySeries.keys()].sort(compareSeries);
    this.store.budget.used += 8 * (order.length - last.length);
    this.lastOrder = order;
    return order;
  }

  /** Moves `rec.p` into pieces (in flight until settled). */
  private seal(rec: Rec, pieces: Piece[]): Piece[] {
    const kind = rec.series.kind;
    if (rec.p === undefined) {
      // An owed re-send of what the backend should hold.
      if (rec.a === undefined) rec.echo = false;
      else {
        rec.flying++;
        pieces.push(new Piece(rec, kind.expand(rec.a), undefined, 0, 0));
      }
      return pieces;
    }
    const sealed = rec.p;
    rec.p = undefined;
    if (!kind.perValue) {
      rec.s = sealed;
      rec.flying++;
      const w = rec.a === undefined ? sealed : kind.merge(kind.expand(rec.a), sealed);
      pieces.push(new Piece(rec, w, sealed, kind.points(sealed), kind.weigh(sealed)));
      return pieces;
    }
    const before = kind.weigh(sealed);
    let rest = sealed;
    let bytes = 0;
    for (;;) {
      const long = kind.points(rest) > MAX_PIECE_VALUES;
      const [chunk, next] = long ? kind.split!(rest, MAX_PIECE_VALUES) : [rest, undefined];
      const weight = kind.weigh(chunk);
      bytes += weight;
      rec.flying++;
      pieces.push(new Piece(rec, chunk, chunk, kind.points(chunk), weight));
      if (next === undefined) break;
      rest = next;
    }
    rec.bytes += bytes - before;
    this.store.budget.used += bytes - before;
    return pieces;
  }

  /** Serializes a series' pieces into entries of at most MAX_ENTRY_CHARS each. */
  private entries(series: Series, pieces: Piece[], out: Entry[]): void {
    const kind = series.kind;
    const f = this.format;
    const wire = series.nameEntry.wire;
    const outputs = kind.outputs;
    if (pieces.length === 1 && kind.endpoint === 'series') {
      // The common case (one bucket changed): one point per output, no grouping to do.
      const piece = pieces[0]!;
      const json: string[] = [];
      for (let i = 0; i < outputs.length; i++) {
        const v = kind.value(piece.w, i);
        // Nothing non-finite is ever serialized (DESIGN §12); kinds refuse such values when recorded.
        if (Number.isFinite(v)) json.push(f.series(wire[i]!, outputs[i]!, f.point(piece.rec.b, v), series));
        else this.hooks.invalid(series);
      }
      out.push({ series, pieces, json, points: piece.points });
      return;
    }
    // An entry fits any request with room to spare (a request holds several).
    const maxChars = (kind.endpoint === 'series' ? f.maxSeriesBodyChars : MAX_BODY_CHARS) / 2;
    let group: Piece[] = [];
    let texts: string[][] = [];
    let size = 0;
    const close = (): void => {
      if (group.length === 0) return;
      const json: string[] = [];
      if (kind.endpoint === 'distributions') json.push(f.distribution(wire[0]!, texts[0]!.join(','), series));
      else
        for (let i = 0; i < outputs.length; i++)
          if (texts[i]!.length > 0) json.push(f.series(wire[i]!, outputs[i]!, texts[i]!.join(','), series));
      let points = 0;
      for (const p of group) points += p.points;
      out.push({ series, pieces: group, json, points });
      group = [];
      texts = [];
      size = 0;
    };
    for (const piece of pieces) {
      const b = piece.rec.b;
      const own: string[] = [];
      if (kind.endpoint === 'distributions') own.push(f.values(b, kind.values(piece.w)));
      else
        for (let i = 0; i < outputs.length; i++) {
          const v = kind.value(piece.w, i);
          // Nothing non-finite is ever serialized (DESIGN §12); kinds refuse such values when recorded.
          if (Number.isFinite(v)) own.push(f.point(b, v));
          else {
            own.push('');
            this.hooks.invalid(series);
          }
        }
      let n = 0;
      for (const t of own) n += t.length + 1;
      if (group.length > 0 && size + n > maxChars) close();
      if (texts.length === 0) texts = own.map(() => []);
      own.forEach((t, i) => {
        if (t !== '') texts[i]!.push(t);
      });
      group.push(piece);
      size += n;
    }
    close();
  }

  /** Records how a request ended for `entry` (`copies`: earlier attempts that may have been stored too). */
  settle(entry: Entry, outcome: Outcome, nowSeconds: number, copies: number): void {
    for (const piece of entry.pieces) this.settlePiece(piece, outcome, nowSeconds, copies);
  }

  private settlePiece(piece: Piece, outcome: Outcome, nowSeconds: number, copies: number): void {
    const rec = piece.rec;
    if (rec.dead) return;
    const store = this.store;
    const kind = rec.series.kind;
    rec.flying--;
    if (piece.sealed !== undefined && !kind.perValue) rec.s = undefined;
    if (outcome === 'ok' || outcome === 'rejected') {
      if (piece.sealed !== undefined) {
        rec.bytes -= piece.bytes;
        store.budget.used -= piece.bytes;
        store.pending -= piece.points;
        if (outcome === 'rejected') store.lostPoints('rejected', piece.points, rec.series);
      }
      if (outcome === 'ok') {
        // Stored, and maybe `copies` times more: a merged total is the same value again, a delta is not.
        if (copies > 0 && kind.adds) this.hooks.resent(piece.points * copies);
        // A kind that keeps nothing (a gauge) still keeps what it sent while a re-send is owed.
        if (kind.retains || rec.echo) store.setSent(rec, kind.compact(piece.w));
        // Owed re-sends continue while the bucket is open: a cut request may still land after this one.
        if (rec.echo) rec.echo = rec.b + this.cfg.interval > nowSeconds;
      } else if (piece.sealed === undefined) rec.echo = false;
      if (!rec.echo && !kind.retains) store.dropSent(rec);
    } else {
      if (piece.sealed !== undefined) {
        const p = rec.p;
        const before = piece.bytes + (p === undefined ? 0 : kind.weigh(p));
        const pointsBefore = piece.points + (p === undefined ? 0 : kind.points(p));
        rec.p = p === undefined ? piece.sealed : kind.merge(piece.sealed, p);
        const after = kind.weigh(rec.p);
        rec.bytes += after - before;
        store.budget.used += after - before;
        store.pending += kind.points(rec.p) - pointsBefore;
        if (outcome === 'ambiguous' && kind.adds) this.hooks.resent(piece.points * Math.max(1, copies));
      }
      // Maybe stored: the last write must carry the newest value, so it is sent again after this one
      // lands (for what the backend adds up, a re-send would count twice instead: see `resent`).
      if (outcome === 'ambiguous' && !kind.adds) rec.echo = true;
      if (!rec.queued) {
        rec.queued = true;
        store.dirty.push(rec);
      }
    }
    store.settled(rec, nowSeconds);
  }

  /** Halves an entry a 413 refused: by pieces, else by values; undefined when it cannot be split. */
  split(entry: Entry): [Entry, Entry] | undefined {
    const series = entry.series;
    const kind = series.kind;
    let pieces = entry.pieces;
    if (pieces.length === 1) {
      const piece = pieces[0]!;
      if (!kind.perValue || piece.points < 2) return undefined;
      const [x, y] = kind.split!(piece.sealed, Math.ceil(piece.points / 2));
      const rec = piece.rec;
      const wx = kind.weigh(x);
      const wy = kind.weigh(y);
      rec.bytes += wx + wy - piece.bytes;
      this.store.budget.used += wx + wy - piece.bytes;
      rec.flying++;
      pieces = [new Piece(rec, x, x, kind.points(x), wx), new Piece(rec, y, y, kind.points(y), wy)];
    }
    const half = Math.ceil(pieces.length / 2);
    const halves: Entry[] = [];
    this.entries(series, pieces.slice(0, half), halves);
    this.entries(series, pieces.slice(half), halves);
    // Each half fits one entry: it is at most the size of the entry it came from.
    return [halves[0]!, halves[1]!];
  }
}
