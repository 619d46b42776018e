import type { Aggregator, DrainEntry } from './core/aggregator.js';
import { chunkEntries, seriesBody } from './core/serialize.js';
import { MetricsError } from './errors.js';
import type { EventQueue } from './events.js';
import { type SendContext, type SendCounters, type SendOutcome, sendWithRetry } from './send.js';
import type { ApiPath, FlushOptions, FlushReport, Transport } from './types.js';

export interface FlushCounters extends SendCounters {
  flushes: number;
  failedFlushes: number;
  resent: number;
  carriedOver: number;
  rejected: number;
  errors: Record<string, number>;
}

export interface FlushDeps {
  aggregator: Aggregator;
  events: EventQueue;
  transport: Transport;
  counters: FlushCounters;
  nowMs: () => number;
  timeoutMs: number;
  random?: () => number;
}

/** Runs one flush: drain, send per endpoint, commit what was stored. Never clears unsent data. */
export async function runFlush(
  deps: FlushDeps,
  includeOpen: boolean,
  options: FlushOptions = {},
): Promise<FlushReport> {
  const started = performance.now();
  const timeoutMs = Math.min(options.timeoutMs ?? deps.timeoutMs, deps.timeoutMs);
  const controller = new AbortController();
  const timer = setTimeout(
    () =>
      controller.abort(
        new MetricsError('DEADLINE_EXCEEDED', `flush deadline of ${Math.round(timeoutMs)} ms reached`),
      ),
    Math.max(0, timeoutMs),
  );
  const onUserAbort = (): void =>
    controller.abort(new MetricsError('ABORTED', 'flush aborted by its signal'));
  if (options.signal?.aborted) onUserAbort();
  else options.signal?.addEventListener('abort', onUserAbort, { once: true });
  const ctx: SendContext = {
    transport: deps.transport,
    signal: controller.signal,
    deadline: started + timeoutMs,
    counters: deps.counters,
    random: deps.random ?? Math.random,
  };
  const report: FlushReport = {
    ok: true,
    series: 0,
    points: 0,
    events: 0,
    requests: 0,
    retries: 0,
    bytes: 0,
    carried: 0,
    dropped: 0,
    durationMs: 0,
    errors: [],
  };
  const before = {
    requests: deps.counters.requests,
    retries: deps.counters.retries,
    bytes: deps.counters.bytesSent,
  };
  try {
    const drained = deps.aggregator.drain(deps.nowMs() / 1000, includeOpen);
    await Promise.all([
      sendEntries(deps, ctx, report, '/api/v1/series', drained.series),
      sendEntries(deps, ctx, report, '/api/v1/distribution_points', drained.distributions),
      sendEvents(deps, ctx, report),
    ]);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onUserAbort);
  }
  report.requests = deps.counters.requests - before.requests;
  report.retries = deps.counters.retries - before.retries;
  report.bytes = deps.counters.bytesSent - before.bytes;
  report.durationMs = performance.now() - started;
  report.ok = report.errors.length === 0;
  deps.counters.flushes++;
  if (!report.ok) deps.counters.failedFlushes++;
  for (const e of report.errors) deps.counters.errors[e.code] = (deps.counters.errors[e.code] ?? 0) + 1;
  return report;
}

async function sendEntries(
  deps: FlushDeps,
  ctx: SendContext,
  report: FlushReport,
  path: ApiPath,
  entries: DrainEntry[],
): Promise<void> {
  const queue = chunkEntries(entries);
  while (queue.length > 0) {
    const chunk = queue.shift()!;
    const outcome = await sendWithRetry(ctx, { path, body: seriesBody(chunk) });
    settle(deps, report, path, chunk, outcome, queue);
  }
}

function settle(
  deps: FlushDeps,
  report: FlushReport,
  path: ApiPath,
  chunk: DrainEntry[],
  outcome: SendOutcome,
  queue: DrainEntry[][],
): void {
  const points = chunk.reduce((n, e) => n + e.points, 0);
  switch (outcome.kind) {
    case 'ok':
      for (const entry of chunk) deps.aggregator.commit(entry);
      report.series += chunk.reduce((n, e) => n + e.json.length, 0);
      report.points += points;
      return;
    case 'too-large':
      // 413: halve and resend; a single entry the backend will not take is dropped.
      if (chunk.length > 1) {
        const half = Math.ceil(chunk.length / 2);
        queue.unshift(chunk.slice(0, half), chunk.slice(half));
        return;
      }
      break;
    case 'retry-later':
      report.carried += points;
      deps.counters.carriedOver += points;
      if (outcome.ambiguous && path === '/api/v1/distribution_points') deps.counters.resent += points;
      report.errors.push(outcome.error);
      return;
    case 'rejected':
      break;
  }
  // Refused for good: mark as handled so it is not sent again, and count it.
  for (const entry of chunk) deps.aggregator.commit(entry);
  report.dropped += points;
  deps.counters.rejected += points;
  report.errors.push(outcome.error);
}

async function sendEvents(deps: FlushDeps, ctx: SendContext, report: FlushReport): Promise<void> {
  const events = deps.events.take();
  for (let i = 0; i < events.length; i++) {
    const outcome = await sendWithRetry(ctx, { path: '/api/v1/events', body: events[i]! });
    if (outcome.kind === 'ok') report.events++;
    else if (outcome.kind === 'retry-later') {
      const left = events.slice(i);
      deps.events.putBack(left);
      report.carried += left.length;
      deps.counters.carriedOver += left.length;
      report.errors.push(outcome.error);
      return;
    } else {
      report.dropped++;
      deps.counters.rejected++;
      report.errors.push(outcome.error);
    }
  }
}

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
