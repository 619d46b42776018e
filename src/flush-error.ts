import { MetricsError } from './errors.js';
import type { FlushReport } from './types.js';

/** The error a failed flush rejects with: the deadline if it struck, else the first failure. */
export function flushError(report: FlushReport): MetricsError {
  const deadline = report.errors.find((e) => e.code === 'DEADLINE_EXCEEDED' || e.code === 'ABORTED');
  const first = deadline ?? report.errors[0]!;
  const what = `${report.carried} point(s) carried to the next flush, ${report.dropped} dropped`;
  return new MetricsError(first.code, `flush failed: ${first.message} (${what})`, {
    cause: first,
    details: { report },
  });
}

/** A failed flush's summary error (its errors were already counted by the flush itself). */
export function isFlushSummary(error: MetricsError): boolean {
  return typeof error.details === 'object' && error.details !== null && 'report' in error.details;
}
