import type { HistogramAggregate } from '../types.js';

export interface CoreConfig {
  namespace: string;
  host: string;
  constantTags: readonly string[];
  interval: number;
  maxPastSeconds: number;
  maxFutureSeconds: number;
  aggregates: readonly HistogramAggregate[];
  percentiles: readonly number[];
  maxBufferedPoints: number;
  maxRetainedBuckets: number;
  /** The sink adds every point (the Forwarder reading log lines): send only what is new, keep no records. */
  additive: boolean;
}

export type CoreProblem =
  | 'INVALID_NAME'
  | 'INVALID_TAG'
  | 'INVALID_VALUE'
  | 'INVALID_TIMESTAMP'
  | 'TIMESTAMP_MILLISECONDS'
  | 'OUT_OF_WINDOW'
  | 'EXPIRED'
  | 'OVERFLOW'
  | 'EVICTED';

export interface CoreStats {
  recorded: number;
  merged: number;
  dropped: { invalid: number; outOfWindow: number; expired: number; overflow: number; evicted: number };
  timestampsConverted: number;
  evictedRecords: number;
}
