import { MetricsError } from '../errors.js';
import type { FlushReport } from '../types.js';

/**
 * What a failed `flush()` rejects with: the code of the error that decided it (the caller's deadline or
 * signal if one struck, else the first failure), and this caller's report.
 * @example
 * try { await metrics.flush(); } catch (e) { if (e instanceof FlushError) console.log(e.report.carried); }
 */
export class FlushError extends MetricsError {
  readonly report: FlushReport;

  constructor(report: FlushReport) {
    const decisive =
      report.errors.find((e) => e.code === 'DEADLINE_EXCEEDED' || e.code === 'ABORTED') ?? report.errors[0];
    const code = decisive?.code ?? 'FLUSH_FAILED';
    const what = `${report.carried} point(s) carried to the next flush, ${report.dropped} dropped`;
    super(code, `flush failed: ${decisive?.message ?? 'unknown failure'} (${what})`, {
      cause: decisive,
      details: { report },
    });
    this.name = 'MetricsError';
    this.report = report;
  }
}
