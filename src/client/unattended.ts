// Flushes nobody awaits: the timer's, and the one a background-mode client starts after each invocation
// (Lambda Managed Instances). One at a time, so a slow intake does not pile them up; failures go to
// onError. Background mode sends open buckets too (safe with the cross-flush merge), so data waits at
// most one interval.
import { MetricsError } from '../errors.js';
import { FlushError } from '../flush/error.js';
import type { Flusher } from '../flush/flusher.js';

export interface Unattended {
  /** Starts a flush unless one runs; `asked` (an invocation ended) makes one more follow a running one. */
  flush(includeOpen: boolean, asked?: boolean): void;
  /** Stops the timer (close()). */
  stop(): void;
}

export function unattendedFlushes(
  flusher: Flusher,
  settings: { flushIntervalSeconds: number; timeoutMs: number; includeOpen: boolean },
  report: (error: MetricsError) => void,
): Unattended {
  let running: Promise<unknown> | undefined;
  // Asked again while one runs (invocations ending during a flush): one more follows it, for their data.
  let again = false;
  const flush = (includeOpen: boolean, asked = false): void => {
    if (running !== undefined) {
      again ||= asked;
      return;
    }
    const done = (): void => {
      running = undefined;
      if (again) {
        again = false;
        flush(includeOpen);
      }
    };
    running = flusher.flush({ includeOpen, timeoutMs: settings.timeoutMs }).then(
      (r) => {
        if (!r.ok) report(new FlushError(r));
        done();
      },
      (e: unknown) => {
        report(new MetricsError('FLUSH_FAILED', 'background flush failed', { cause: e }));
        done();
      },
    );
  };
  let timer: ReturnType<typeof setInterval> | undefined;
  if (settings.flushIntervalSeconds > 0) {
    timer = setInterval(() => flush(settings.includeOpen), settings.flushIntervalSeconds * 1000);
    // Never keep a process alive: Node's timers have unref(); Deno's are numbers, unref'd through Deno.
    if (typeof timer === 'number')
      (globalThis as { Deno?: { unrefTimer?: (id: number) => void } }).Deno?.unrefTimer?.(timer);
    else (timer as { unref?: () => void }).unref?.();
  }
  return {
    flush,
    stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
    },
  };
}
