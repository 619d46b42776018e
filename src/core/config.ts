import type { HistogramAggregate } from '../types.js';
import type { SendAs } from './kinds/index.js';

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
  maxMemoryBytes: number;
  /** The sink adds every point (the Forwarder reading log lines): send only what is new, keep no records. */
  additive: boolean;
  sendAs: SendAs;
  /** The series API: 1 (`/api/v1/series`, default) or 2 (`/api/v2/series`). Distributions are always v1. */
  apiVersion: 1 | 2;
  /** Full metric name → Datadog unit, sent on v2 only. */
  units: ReadonlyMap<string, string>;
}

export type CoreProblem =
  | 'INVALID_NAME'
  | 'INVALID_TAG'
  | 'INVALID_HOST'
  | 'INVALID_VALUE'
  | 'INVALID_TIMESTAMP'
  | 'TIMESTAMP_MILLISECONDS'
  | 'OUT_OF_WINDOW'
  | 'EXPIRED'
  | 'OVERFLOW'
  | 'EVICTED'
  | 'NAME_COLLISION'
  | 'NAME_NORMALIZED';

export interface CoreDropped {
  invalid: number;
  outOfWindow: number;
  expired: number;
  overflow: number;
  evicted: number;
  rejected: number;
  collision: number;
}

export interface CoreStats {
  recorded: number;
  merged: number;
  dropped: CoreDropped;
  timestampsConverted: number;
  evictedRecords: number;
  resent: number;
}

/** A problem the core reports: its code, a message, and the metric it concerns (when there is one). */
export type CoreProblemSink = (code: CoreProblem, detail: string, metric?: string) => void;
