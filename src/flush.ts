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

/**
 * Lets the flush queue give up on a run that can never settle (on Workers, a flush started outside
 * `waitUntil` is frozen forever when its request ends, its own deadline timer with it). Its data was
 * never committed, so the next drain takes it again; its unsent events go back to the queue.
 */
export interface FlushHandle {
  abandon: () => void;
}

/** State of one flush run. Once `closed` (deadline or abort), late transport outcomes are ignored. */
interface Run {
  deps: FlushDeps;
  ctx: SendContext;
  report: FlushReport;
  closed: boolean;
  /** Distribution values in requests not yet answered: at the deadline they may still arrive. */
  distributionsInFlight: number;
  /** Series and distribution points the backend refused for good (400, 403, …). */
  rejected: number;
}

function emptyReport(): FlushReport {
  return {
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
}

/** Runs one flush: drain, send per endpoint, commit what was stored. Never clears unsent data. */
export async function runFlush(
  deps: FlushDeps,
  includeOpen: boolean,
  options: FlushOptions = {},
  handle?: FlushHandle,
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
  // The deadline holds even against a transport that ignores the abort signal.
  const stopped = new Promise<void>((resolve) => {
    if (controller.signal.aborted) resolve();
    else controller.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  const run: Run = {
    deps,
    ctx: {
      transport: deps.transport,
      signal: controller.signal,
      deadline: started + timeoutMs,
      counters: deps.counters,
      random: deps.random ?? Math.random,
    },
    report: emptyReport(),
    closed: false,
    distributionsInFlight: 0,
    rejected: 0,
  };
  const report = run.report;
  const before = {
    requests: deps.counters.requests,
    retries: deps.counters.retries,
    bytes: deps.counters.bytesSent,
  };
  const events = deps.events.take();
  const eventsState = { next: 0, returned: false };
  const returnEvents = (): number => {
    if (eventsState.returned) return 0;
    eventsState.returned = true;
    const unsent = events.slice(eventsState.next);
    if (unsent.length > 0) deps.events.putBack(unsent);
    return unsent.length;
  };
  if (handle !== undefined)
    handle.abandon = () => {
      if (run.closed) return;
      run.closed = true;
      deps.counters.resent += run.distributionsInFlight;
      returnEvents();
    };
  let total = 0;
  try {
    const drained = deps.aggregator.drain(deps.nowMs() / 1000, includeOpen);
    report.dropped += drained.expired;
    for (const e of [...drained.series, ...drained.distributions]) total += e.points;
    await Promise.race([
      Promise.all([
        sendEntries(run, '/api/v1/series', drained.series),
        sendEntries(run, '/api/v1/distribution_points', drained.distributions),
        sendEvents(run, events, eventsState),
      ]),
      stopped,
    ]);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onUserAbort);
  }
  run.closed = true;
  if (controller.signal.aborted) {
    // Whatever was still in flight may yet arrive: distributions sent again later may count twice.
    deps.counters.resent += run.distributionsInFlight;
    const reason = controller.signal.reason;
    if (!report.errors.some((e) => e === reason) && reason instanceof MetricsError)
      report.errors.push(reason);
  }
  report.carried = total - report.points - run.rejected + returnEvents();
  deps.counters.carriedOver += report.carried;
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

async function sendEntries(run: Run, path: ApiPath, entries: DrainEntry[]): Promise<void> {
  const queue = chunkEntries(entries);
  const isDistribution = path === '/api/v1/distribution_points';
  while (queue.length > 0 && !run.closed) {
    const chunk = queue.shift()!;
    const points = chunk.reduce((n, e) => n + e.points, 0);
    if (isDistribution) run.distributionsInFlight += points;
    const outcome = await sendWithRetry(run.ctx, { path, body: seriesBody(chunk) });
    if (run.closed) return;
    if (isDistribution) run.distributionsInFlight -= points;
    settle(run, path, chunk, points, outcome, queue);
  }
}

function settle(
  run: Run,
  path: ApiPath,
  chunk: DrainEntry[],
  points: number,
  outcome: SendOutcome,
  queue: DrainEntry[][],
): void {
  const { deps, report } = run;
  const isDistribution = path === '/api/v1/distribution_points';
  // After an ambiguous failure the values went out again (or will): distributions may count twice.
  if (isDistribution && outcome.ambiguous) deps.counters.resent += points;
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
      report.errors.push(outcome.error);
      return;
    case 'rejected':
      break;
  }
  // Refused for good: mark as handled so it is not sent again, and count it.
  for (const entry of chunk) deps.aggregator.commit(entry);
  report.dropped += points;
  run.rejected += points;
  deps.counters.rejected += points;
  report.errors.push(outcome.error);
}

async function sendEvents(run: Run, events: string[], state: { next: number }): Promise<void> {
  const { deps, report } = run;
  while (state.next < events.length && !run.closed) {
    const outcome = await sendWithRetry(run.ctx, { path: '/api/v1/events', body: events[state.next]! });
    if (run.closed) return;
    // Datadog creates one event per POST: after an ambiguous failure it may exist twice.
    if (outcome.ambiguous) deps.counters.resent++;
    if (outcome.kind === 'retry-later') {
      report.errors.push(outcome.error);
      return;
    }
    state.next++;
    if (outcome.kind === 'ok') report.events++;
    else {
      report.dropped++;
      deps.counters.rejected++;
      report.errors.push(outcome.error);
    }
  }
}
