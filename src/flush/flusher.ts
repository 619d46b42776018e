import { MetricsError } from '../errors.js';
import type { FlushReport } from '../types.js';
import { reportOf } from './report.js';
import { Run, type RunDeps } from './run.js';

/** How long past its last deadline a run may stay unsettled before it is given up as dead. */
const ABANDON_GRACE_MS = 1000;

export interface FlushCall {
  /** Send the open bucket too (`flush()`), or closed buckets only (the timer). */
  includeOpen: boolean;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

/** One `flush()` call: its own deadline and signal, and the run serving it once that run started. */
interface Caller {
  readonly startedAt: number;
  readonly deadline: number;
  /** The run that was going on when this caller arrived: it waits for it (and keeps it going). */
  waited: Run | undefined;
  run: Run | undefined;
  done: boolean;
  finish(report: FlushReport): void;
}

/**
 * One flush at a time. A caller arriving during a run joins the next one (every caller arriving during
 * that run shares it: N concurrent invocations make one request, not N), which starts when the current
 * run ends. Every caller keeps its own deadline and signal: it returns at its deadline with what was
 * acknowledged by then, while the run goes on for callers with time left; the run stops when its last
 * caller is gone. A run that never settles (on Workers, a flush outside `waitUntil` is frozen forever
 * with its request) is given up once it is far past its deadline; its data goes with the next run.
 */
export class Flusher {
  private readonly deps: RunDeps;
  private current: Run | undefined;
  private callers = new Set<Caller>();
  private next: { includeOpen: boolean; callers: Set<Caller> } | undefined;
  /** Settles once the current run has ended (and its callers have returned). */
  private ended: Promise<void> = Promise.resolve();

  constructor(deps: RunDeps) {
    this.deps = deps;
  }

  flush(call: FlushCall): Promise<FlushReport> {
    return new Promise((resolve) => {
      const startedAt = performance.now();
      const signal = call.signal;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const onAbort = (): void =>
        this.leave(caller, new MetricsError('ABORTED', 'flush aborted by its signal; data stays buffered'));
      const caller: Caller = {
        startedAt,
        deadline: startedAt + call.timeoutMs,
        waited: undefined,
        run: undefined,
        done: false,
        finish: (report) => {
          if (caller.done) return;
          caller.done = true;
          clearTimeout(timer);
          // No listener outlives its flush (a long-lived signal would collect one per flush).
          signal?.removeEventListener('abort', onAbort);
          resolve(report);
        },
      };
      timer = setTimeout(
        () =>
          this.leave(
            caller,
            new MetricsError(
              'DEADLINE_EXCEEDED',
              `flush deadline of ${Math.round(call.timeoutMs)} ms reached`,
            ),
          ),
        Math.max(0, call.timeoutMs),
      );
      this.abandonIfDead();
      if (this.current === undefined && this.next === undefined)
        this.start(call.includeOpen, new Set([caller]));
      else if (this.current === undefined) {
        // Between a run's end and its queued successor's start: join it and start it now.
        this.next!.includeOpen ||= call.includeOpen;
        this.next!.callers.add(caller);
        this.startNext();
      } else {
        this.next ??= { includeOpen: false, callers: new Set() };
        this.next.includeOpen ||= call.includeOpen;
        this.next.callers.add(caller);
        caller.waited = this.current;
        // The next run starts from a joiner's own continuation: on Workers, I/O belongs to the request
        // whose code starts it, and the request that started the current run may be over by then.
        this.ended.then(() => this.startNext());
      }
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private start(includeOpen: boolean, callers: Set<Caller>): void {
    const run = new Run(this.deps, includeOpen);
    this.current = run;
    this.callers = callers;
    for (const c of callers) c.run = run;
    const ended = (): void => {
      if (this.current !== run) return; // given up meanwhile
      for (const c of this.callers) c.finish(reportOf(c.waited, run, [], c.startedAt, 0));
      this.current = undefined;
      this.callers = new Set();
    };
    this.ended = run.start(() => this.lastDeadline()).then(ended, ended);
  }

  /** Starts the queued run once nothing runs (callers that left meanwhile are not waited for). */
  private startNext(): void {
    const next = this.next;
    if (this.current !== undefined || next === undefined) return;
    this.next = undefined;
    if (next.callers.size > 0) this.start(next.includeOpen, next.callers);
  }

  /** A caller's deadline or signal: it returns now with what was acknowledged so far. */
  private leave(caller: Caller, error: MetricsError): void {
    if (caller.done) return;
    if (caller.run === undefined) this.next?.callers.delete(caller);
    else this.callers.delete(caller);
    const current = this.current;
    if (current !== undefined && caller.run === current && this.callers.size === 0) {
      // The current run's last caller: the run stops (queued callers get a run of their own, with
      // everything it had), and what is in flight may still land (settled as maybe stored). The leaving
      // caller's error is the run's.
      current.stop(error);
      caller.finish(reportOf(caller.waited, caller.run, [], caller.startedAt, this.pending()));
      return;
    }
    this.deps.count(error);
    caller.finish(reportOf(caller.waited, caller.run, [error], caller.startedAt, this.pending()));
  }

  /** Points and events still buffered (for a caller whose own run never started). */
  private pending(): number {
    return this.deps.aggregator.pending + this.deps.events.size;
  }

  /** The current run lasts until its last caller's deadline. */
  private lastDeadline(): number {
    let last = 0;
    for (const c of this.callers) if (c.deadline > last) last = c.deadline;
    return last;
  }

  private abandonIfDead(): void {
    const run = this.current;
    if (run === undefined || performance.now() <= this.lastDeadline() + ABANDON_GRACE_MS) return;
    run.abandon(
      new MetricsError(
        'DEADLINE_EXCEEDED',
        'a flush never settled (its request context was cancelled?): given up, its data goes with the next flush',
      ),
    );
    const callers = this.callers;
    this.current = undefined;
    this.callers = new Set();
    for (const c of callers) c.finish(reportOf(c.waited, run, [], c.startedAt, 0));
    this.startNext();
  }
}
