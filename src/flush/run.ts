import type { Entry, Outcome } from '../core/aggregator.js';
import { chunkEntries, seriesBody } from '../core/serialize.js';
import { MetricsError } from '../errors.js';
import type { ApiPath } from '../types.js';
import { refusedEntries } from './report.js';
import { type SendContext, type SendOutcome, sendWithRetry } from './send.js';
import type { Progress, RunDeps } from './types.js';

export type { EventSource, FlushCounters, Progress, RunDeps } from './types.js';

/**
 * One flush run: drains once, sends per endpoint (in parallel), settles every entry exactly once. It
 * runs until it is done or `stop()` is called (its last caller's deadline or signal): then whatever is
 * still in flight is settled as maybe-stored, and late transport answers are ignored.
 */
export class Run {
  readonly includeOpen: boolean;
  readonly progress: Progress = {
    series: 0,
    points: 0,
    events: 0,
    requests: 0,
    retries: 0,
    bytes: 0,
    dropped: 0,
    unsent: 0,
    errors: [],
  };
  private readonly deps: RunDeps;
  private readonly controller = new AbortController();
  private readonly inFlight = new Set<Entry>();
  private readonly unsent = new Set<Entry>();
  private events: string[] = [];
  private nextEvent = 0;
  private eventInFlight = false;
  private requestsInFlight = 0;
  private closed = false;
  private ctx: SendContext | undefined;
  private before = { requests: 0, retries: 0, bytes: 0 };

  constructor(deps: RunDeps, includeOpen: boolean) {
    this.deps = deps;
    this.includeOpen = includeOpen;
  }

  get done(): boolean {
    return this.closed;
  }

  /** Drains and sends. Resolves when everything is settled, or at once when stopped. */
  async start(deadline: () => number): Promise<void> {
    const deps = this.deps;
    const signal = this.controller.signal;
    // The deadline holds even against a transport that ignores the abort signal.
    const stopped = new Promise<void>((resolve) =>
      signal.addEventListener('abort', () => resolve(), { once: true }),
    );
    const counters = deps.counters;
    this.before = { requests: counters.requests, retries: counters.retries, bytes: counters.bytesSent };
    const tick = (): void => this.sync();
    this.ctx = {
      transport: deps.transport,
      signal,
      // The run lasts until its last caller's deadline, which can move as callers leave.
      get deadline() {
        return deadline();
      },
      counters,
      random: deps.random ?? Math.random,
    };
    try {
      const drained = deps.aggregator.drain(deps.nowMs() / 1000, this.includeOpen);
      this.progress.dropped += drained.lost;
      for (const e of [...drained.series, ...drained.distributions]) {
        this.unsent.add(e);
        this.progress.unsent += e.points;
      }
      this.events = deps.events.take();
      this.progress.unsent += this.events.length;
      await Promise.race([
        Promise.all([
          this.sendEntries(
            deps.aggregator.format.seriesPath,
            drained.series,
            tick,
            deps.aggregator.format.maxSeriesBodyChars,
          ),
          this.sendEntries('/api/v1/distribution_points', drained.distributions, tick),
          this.sendEvents(tick),
        ]),
        stopped,
      ]);
    } finally {
      tick();
      this.close();
    }
  }

  /** Brings the request counts of `progress` up to date. */
  sync(): void {
    const c = this.deps.counters;
    this.progress.requests = c.requests - this.before.requests;
    this.progress.retries = c.retries - this.before.retries;
    this.progress.bytes = c.bytesSent - this.before.bytes;
  }

  /** Ends the run now (deadline or abort of its last caller): `error` says why. */
  stop(error: MetricsError): void {
    if (this.closed) return;
    this.fail(error);
    this.controller.abort(error);
    this.close();
  }

  /**
   * Gives up a run that can never settle (frozen with its cancelled Workers request): settled as maybe
   * stored, without touching its requests (they belong to another request's context, where even an
   * abort throws).
   */
  abandon(error: MetricsError): void {
    if (this.closed) return;
    this.fail(error);
    this.close();
  }

  /** Settles what is left: in flight → maybe stored, never sent → not stored; unsent events go back. */
  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sync();
    const { aggregator, events, counters } = this.deps;
    const now = this.deps.nowMs() / 1000;
    for (const e of this.inFlight) aggregator.settle(e, 'ambiguous', now);
    for (const e of this.unsent) aggregator.settle(e, 'failed', now);
    this.inFlight.clear();
    this.unsent.clear();
    counters.ambiguous += this.requestsInFlight;
    const unsentEvents = this.events.slice(this.nextEvent);
    // An event in a request that was cut may exist already: sending it again may make two.
    if (this.eventInFlight) counters.resent++;
    if (unsentEvents.length > 0) events.putBack(unsentEvents);
    this.events = [];
    this.nextEvent = 0;
    counters.flushes++;
    counters.carriedOver += this.progress.unsent;
    if (this.progress.errors.length > 0) counters.failedFlushes++;
  }

  private fail(error: MetricsError): void {
    this.progress.errors.push(error);
    this.deps.count(error);
  }

  private async sendEntries(
    path: ApiPath,
    entries: Entry[],
    tick: () => void,
    maxChars?: number,
  ): Promise<void> {
    const queue = chunkEntries(entries, maxChars);
    while (queue.length > 0 && !this.closed) {
      const chunk = queue.shift()!;
      for (const e of chunk) {
        this.unsent.delete(e);
        this.inFlight.add(e);
      }
      this.requestsInFlight++;
      const outcome = await sendWithRetry(this.ctx!, { path, body: seriesBody(chunk) });
      if (this.closed) return;
      this.requestsInFlight--;
      if (outcome.ambiguous) this.deps.counters.ambiguous++;
      for (const e of chunk) this.inFlight.delete(e);
      this.settle(chunk, outcome, queue, path);
      tick();
    }
  }

  private settleAll(chunk: readonly Entry[], outcome: Outcome, copies = 0): void {
    const now = this.deps.nowMs() / 1000;
    for (const entry of chunk) {
      this.deps.aggregator.settle(entry, outcome, now, copies);
      if (outcome !== 'failed' && outcome !== 'ambiguous') this.progress.unsent -= entry.points;
    }
  }

  private settle(chunk: Entry[], outcome: SendOutcome, queue: Entry[][], path: ApiPath): void {
    const progress = this.progress;
    const points = chunk.reduce((n, e) => n + e.points, 0);
    switch (outcome.kind) {
      case 'ok':
        // v2 answers 202 and lists the series it refused: those entries are refused, the rest stored.
        if (path === '/api/v2/series' && outcome.body !== undefined) {
          const refused = refusedEntries(chunk, outcome.body);
          if (refused.size > 0) {
            const stored = chunk.filter((e) => !refused.has(e));
            const lost = [...refused].reduce((n, e) => n + e.points, 0);
            this.settleAll([...refused], 'rejected');
            this.settleAll(stored, 'ok', outcome.copies);
            progress.series += stored.reduce((n, e) => n + e.json.length, 0);
            progress.points += points - lost;
            progress.dropped += lost;
            this.fail(
              new MetricsError(
                'BAD_REQUEST',
                `intake refused ${refused.size} series of ${path}: ${outcome.body.slice(0, 300)}`,
                {
                  details: { path, body: outcome.body.slice(0, 500) },
                },
              ),
            );
            return;
          }
        }
        // A transport that had to send it twice (stale socket): distribution values may be stored twice.
        this.settleAll(chunk, 'ok', outcome.copies);
        progress.series += chunk.reduce((n, e) => n + e.json.length, 0);
        progress.points += points;
        return;
      case 'too-large': {
        // 413: halve and resend (by entries, then by the pieces and values of a single entry).
        const half = Math.ceil(chunk.length / 2);
        const halves =
          chunk.length > 1
            ? [chunk.slice(0, half), chunk.slice(half)]
            : this.deps.aggregator.split(chunk[0]!)?.map((e) => [e]);
        if (halves !== undefined) {
          for (const h of halves) for (const e of h) this.unsent.add(e);
          queue.unshift(...halves);
          return;
        }
        break;
      }
      case 'retry-later':
        this.settleAll(chunk, outcome.ambiguous ? 'ambiguous' : 'failed', outcome.copies);
        this.fail(outcome.error);
        return;
      case 'rejected':
        break;
    }
    // Refused for good: never sent again, and counted.
    this.settleAll(chunk, 'rejected');
    progress.dropped += points;
    this.fail(outcome.error);
  }

  private async sendEvents(tick: () => void): Promise<void> {
    const { counters } = this.deps;
    const progress = this.progress;
    while (this.nextEvent < this.events.length && !this.closed) {
      this.eventInFlight = true;
      this.requestsInFlight++;
      const outcome = await sendWithRetry(this.ctx!, {
        path: '/api/v1/events',
        body: this.events[this.nextEvent]!,
      });
      if (this.closed) return;
      this.eventInFlight = false;
      this.requestsInFlight--;
      tick();
      // Datadog creates one event per POST: after an ambiguous failure it may exist twice.
      if (outcome.ambiguous) {
        counters.resent += outcome.copies;
        counters.ambiguous++;
      }
      if (outcome.kind === 'retry-later') {
        this.fail(outcome.error);
        return;
      }
      this.nextEvent++;
      progress.unsent--;
      if (outcome.kind === 'ok') progress.events++;
      else {
        progress.dropped++;
        counters.rejected++;
        this.fail(outcome.error);
      }
    }
  }
}
