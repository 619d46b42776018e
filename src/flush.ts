import type { Aggregator, Entry, Outcome } from './core/aggregator.js';
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
  /** Entries in requests not yet answered: at the deadline they may still arrive (ambiguous). */
  inFlight: Set<Entry>;
  /** Entries drained but not yet sent. */
  unsent: Set<Entry>;
  /** Series and distribution points the backend refused for good (400, 403, …). */
  rejected: number;
}

/** Settles what a closed run left: in flight → maybe stored; never sent → not stored. */
function settleLeftovers(run: Run): void {
  const now = run.deps.nowMs() / 1000;
  for (const e of run.inFlight) run.deps.aggregator.settle(e, 'ambiguous', now);
  for (const e of run.unsent) run.deps.aggregator.settle(e, 'failed', now);
  run.inFlight.clear();
  run.unsent.clear();
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
    inFlight: new Set(),
    unsent: new Set(),
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
      settleLeftovers(run);
      returnEvents();
    };
  let total = 0;
  try {
    const drained = deps.aggregator.drain(deps.nowMs() / 1000, includeOpen);
    report.dropped += drained.lost;
    for (const e of [...drained.series, ...drained.distributions]) {
      total += e.points;
      run.unsent.add(e);
    }
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
  settleLeftovers(run);
  if (controller.signal.aborted) {
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

async function sendEntries(run: Run, path: ApiPath, entries: Entry[]): Promise<void> {
  const queue = chunkEntries(entries);
  while (queue.length > 0 && !run.closed) {
    const chunk = queue.shift()!;
    const points = chunk.reduce((n, e) => n + e.points, 0);
    for (const e of chunk) {
      run.unsent.delete(e);
      run.inFlight.add(e);
    }
    const outcome = await sendWithRetry(run.ctx, { path, body: seriesBody(chunk) });
    if (run.closed) return;
    for (const e of chunk) run.inFlight.delete(e);
    settle(run, chunk, points, outcome, queue);
  }
}

function settleAll(run: Run, chunk: readonly Entry[], outcome: Outcome, ambiguous = false): void {
  const now = run.deps.nowMs() / 1000;
  for (const entry of chunk) run.deps.aggregator.settle(entry, outcome, now, ambiguous);
}

function settle(run: Run, chunk: Entry[], points: number, outcome: SendOutcome, queue: Entry[][]): void {
  const { deps, report } = run;
  switch (outcome.kind) {
    case 'ok':
      // A transport that had to send it twice (stale socket): distribution values may be stored twice.
      settleAll(run, chunk, 'ok', outcome.ambiguous);
      report.series += chunk.reduce((n, e) => n + e.json.length, 0);
      report.points += points;
      return;
    case 'too-large': {
      // 413: halve and resend (by entries, then by the pieces and values of a single entry).
      const halves =
        chunk.length > 1
          ? [chunk.slice(0, Math.ceil(chunk.length / 2)), chunk.slice(Math.ceil(chunk.length / 2))]
          : deps.aggregator.split(chunk[0]!)?.map((e) => [e]);
      if (halves !== undefined) {
        for (const half of halves) for (const e of half) run.unsent.add(e);
        queue.unshift(...halves);
        return;
      }
      break;
    }
    case 'retry-later':
      settleAll(run, chunk, outcome.ambiguous ? 'ambiguous' : 'failed');
      report.errors.push(outcome.error);
      return;
    case 'rejected':
      break;
  }
  // Refused for good: not sent again, and counted.
  settleAll(run, chunk, 'rejected');
  report.dropped += points;
  run.rejected += points;
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
