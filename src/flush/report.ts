import type { Entry } from '../core/aggregator.js';
import type { MetricsError } from '../errors.js';
import type { FlushReport } from '../types.js';
import type { Run } from './run.js';

/**
 * The entries a v2 202 answer names in its `errors` (`{"errors":["series[3] \"name\": …"]}`): by the
 * series' index in the request when the message gives one, else by the quoted metric name.
 */
export function refusedEntries(chunk: readonly Entry[], body: string): Set<Entry> {
  const out = new Set<Entry>();
  let errors: unknown;
  try {
    errors = (JSON.parse(body) as { errors?: unknown }).errors;
  } catch {
    return out;
  }
  if (!Array.isArray(errors) || errors.length === 0) return out;
  const byIndex: Entry[] = [];
  for (const e of chunk) for (let i = 0; i < e.json.length; i++) byIndex.push(e);
  for (const message of errors) {
    if (typeof message !== 'string') continue;
    const index = /series\[(\d+)\]/.exec(message);
    const hit = index === null ? undefined : byIndex[Number(index[1])];
    if (hit !== undefined) out.add(hit);
    else for (const e of chunk) if (e.series.nameEntry.wire.some((w) => message.includes(w))) out.add(e);
  }
  return out;
}

/**
 * A caller's report. The counts cover both runs that served it: the one it waited for (which may well
 * have carried its points) and its own. Whether it failed, and what is carried, is its own run's say
 * (a failure of the run it waited for is retried by its own); without a run of its own, everything
 * still buffered is carried.
 */
export function reportOf(
  waited: Run | undefined,
  own: Run | undefined,
  extra: MetricsError[],
  startedAt: number,
  pendingWithoutRun: number,
): FlushReport {
  const report: FlushReport = {
    ok: true,
    series: 0,
    points: 0,
    events: 0,
    requests: 0,
    retries: 0,
    bytes: 0,
    carried: pendingWithoutRun,
    dropped: 0,
    durationMs: performance.now() - startedAt,
    errors: [],
  };
  for (const run of [waited, own]) {
    if (run === undefined) continue;
    run.sync();
    const p = run.progress;
    report.series += p.series;
    report.points += p.points;
    report.events += p.events;
    report.requests += p.requests;
    report.retries += p.retries;
    report.bytes += p.bytes;
  }
  if (own !== undefined) {
    report.carried = own.progress.unsent;
    report.dropped = own.progress.dropped;
    report.errors.push(...own.progress.errors);
  }
  report.errors.push(...extra);
  report.ok = report.errors.length === 0;
  return report;
}
