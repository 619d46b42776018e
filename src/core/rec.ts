// The record shape every part of the core shares (drain, shed, series, the kinds' slots), the store's
// configuration and hooks, and the codes `RecordStore.add` answers with. The transitions are in records.ts.
import { BYTES } from './budget.js';
import type { Slots } from './kinds/kind.js';
import type { Series } from './series.js';

/** One series-bucket while it is the newest of its series, pending, or in flight (see kinds/kind.ts). */
export class Rec implements Slots {
  readonly series: Series;
  readonly b: number;
  a: unknown = undefined;
  s: unknown = undefined;
  p: unknown = undefined;
  /** Heap bytes accounted for this record and its states. */
  bytes: number = BYTES.rec;
  /** In the dirty list. */
  queued = false;
  /** Gone from the store (sent and put in a column, dropped, expired): stale references ignore it. */
  dead = false;
  /** Pieces of it in requests now. */
  flying = 0;
  /** An ambiguous failure left the merged value owed: it is sent again while the bucket is open. */
  echo = false;

  constructor(series: Series, bucket: number) {
    this.series = series;
    this.b = bucket;
  }
}

/** Why points will never reach the backend. */
export type Loss = 'overflow' | 'expired' | 'outOfWindow' | 'rejected' | 'invalid';

export interface StoreConfig {
  interval: number;
  maxPastSeconds: number;
  maxFutureSeconds: number;
  maxBufferedPoints: number;
  maxRetainedBuckets: number;
}

export interface StoreHooks {
  /** Points that will never reach the backend, by reason. */
  lost(reason: Loss, points: number, series: Series): void;
  /** Sent records forgotten to make room (history, not data). */
  evicted(records: number): void;
  /** The series holds nothing any more: unregister it. */
  forget(series: Series): void;
  /** Frees memory that holds no data (alias caches). */
  shedCaches(): void;
}

/** `add` results besides the kinds' REFUSED_ codes. */
export const ADDED = 1;
export const MERGED = 2;
/** The bucket's sent record was forgotten (evicted, expired): sent alone, the point would overwrite it. */
export const REFUSED_FLOOR = -3;
/** No room (maxBufferedPoints or maxMemoryBytes) and nothing older to give up. */
export const REFUSED_OVERFLOW = -4;
