import { type Budget, chars } from '../core/budget.js';
import type { CoreProblem } from '../core/config.js';
import { MetricsError, type MetricsErrorCode } from '../errors.js';
import { FlushError } from '../flush/error.js';

/** Names whose first rewrite is reported (each once); past this many, rewrites are only counted. */
const NAME_MEMO = 100;

function defaultOnError(error: MetricsError): void {
  console.warn(`[handlerstats] ${error.code}: ${error.message}`);
}

/**
 * Counts and reports problems (DESIGN §15): every occurrence is counted in `stats().errors`, each code
 * reaches `onError` once, plus the first rewrite of each name while fewer than 100 names are remembered
 * (the memo counts against the memory budget). A report names the metric and carries
 * `details: { metric, count }`. Repeats cost a counter increment, not an Error object.
 */
export class Reporter {
  readonly errors: Record<string, number> = {};
  private readonly onError: (error: MetricsError) => void;
  private readonly reported = new Set<string>();
  private readonly names = new Set<string>();
  private readonly counted = new WeakSet<MetricsError>();
  /** Set once the core exists (its budget holds the name memo). */
  budget: Budget | undefined;
  /** `strict` and inside a metric call: the first problem is kept for the call to throw. */
  private holding = false;
  private held: MetricsError | undefined;

  constructor(onError: ((error: MetricsError) => void) | undefined) {
    this.onError = onError ?? defaultOnError;
  }

  /** Counts an error once, where it happened; a failed flush's summary (FlushError) is only passed on. */
  count(error: MetricsError): void {
    if (error instanceof FlushError || this.counted.has(error)) return;
    this.counted.add(error);
    this.errors[error.code] = (this.errors[error.code] ?? 0) + 1;
  }

  /** Counts `error` and hands it to onError (`once`: only the first of its code). */
  report(error: MetricsError, once: boolean): void {
    this.count(error);
    if (once && this.reported.has(error.code)) return;
    this.reported.add(error.code);
    this.deliver(error);
  }

  /** A problem with input or state: counted always, reported the first time (see the class). */
  problem(code: CoreProblem | MetricsErrorCode, detail: string, metric?: string): void {
    const count = (this.errors[code] ?? 0) + 1;
    this.errors[code] = count;
    const make = (): MetricsError => {
      const error = new MetricsError(code, metric === undefined ? detail : `${metric}: ${detail}`, {
        details: metric === undefined ? { count } : { metric, count },
      });
      this.counted.add(error);
      return error;
    };
    if (this.holding && code !== 'NAME_NORMALIZED') {
      this.held ??= make();
      return;
    }
    let fresh = !this.reported.has(code);
    if (
      code === 'NAME_NORMALIZED' &&
      metric !== undefined &&
      !this.names.has(metric) &&
      this.names.size < NAME_MEMO
    ) {
      this.names.add(metric);
      if (this.budget !== undefined) this.budget.used += chars(metric) + 48;
      fresh = true;
    }
    if (!fresh) return;
    this.reported.add(code);
    this.deliver(make());
  }

  /**
   * `strict`: runs a metric call, then throws its first problem, once the core has finished with the
   * call (a throw from inside the core would leave it half-way). Flushes never run through here.
   */
  strictly<T>(call: () => T): T {
    this.holding = true;
    let result: T;
    try {
      result = call();
    } finally {
      this.holding = false;
    }
    const error = this.held;
    this.held = undefined;
    if (error !== undefined) throw error;
    return result;
  }

  private deliver(error: MetricsError): void {
    try {
      this.onError(error);
    } catch {
      // A throwing onError must not break the caller either.
    }
  }
}
