import type { Aggregator } from '../core/aggregator.js';
import type { FlushCounters } from '../flush/run.js';
import type { MetricsStats } from '../types.js';
import type { EventQueue } from './events.js';

/** Assembles `stats()` from the core's and the flusher's counters (a fresh object each call). */
export function buildStats(
  aggregator: Aggregator,
  counters: FlushCounters,
  events: EventQueue,
): MetricsStats {
  const core = aggregator.stats;
  return {
    recorded: core.recorded,
    merged: core.merged,
    dropped: {
      ...core.dropped,
      overflow: core.dropped.overflow + events.overflow,
      rejected: core.dropped.rejected + counters.rejected,
    },
    timestampsConverted: core.timestampsConverted,
    normalized: aggregator.registry.normalized,
    flushes: counters.flushes,
    failedFlushes: counters.failedFlushes,
    requests: counters.requests,
    retries: counters.retries,
    bytesSent: counters.bytesSent,
    resent: core.resent + counters.resent,
    carriedOver: counters.carriedOver,
    ambiguous: counters.ambiguous,
    evictedRecords: core.evictedRecords,
    buffered: aggregator.pending + events.size,
    retained: aggregator.retained,
    series: aggregator.registry.size,
    memoryBytes: aggregator.memoryBytes,
    errors: { ...counters.errors },
  };
}
