// The workload of one handler process in the multi-process test (test/faults/multi-process.test.ts) and in
// bench/concurrency.mjs: every process records into the same series (same names, same tags) and, with the
// same clock schedule, into the same 10-second buckets. Plain JavaScript: child processes run it as it is.

export const NAMESPACE = 'mp';
/** Invocations per process: 5 per bucket, in 5 buckets of 10 s. */
export const INVOCATIONS = 25;
export const HISTOGRAM_SAMPLES = 3;

/** When invocation `j` runs (seconds): base + 1, base + 3, …, two seconds apart, so 5 per bucket. */
export function invocationTime(base, j) {
  return base + 2 * j + 1;
}

/**
 * What invocation `j` of process `proc` records: counts under two tag sets, a gauge, histogram samples.
 * `note(kind, name, tags, value)` sees every call (the ledger of the truth); names are without namespace.
 */
export function record(metrics, proc, j, note = () => {}) {
  const put = (kind, name, value, tags) => {
    if (kind === 'count') metrics.increment(name, value, { tags });
    else if (kind === 'gauge') metrics.gauge(name, value, { tags });
    else metrics.histogram(name, value, { tags });
    note(kind, name, tags, value);
  };
  put('count', 'orders', 1 + ((proc + j) % 3), ['plan:pro']);
  put('count', 'orders', 2, ['plan:free']);
  // Rises with j in each process: the last value a process sends for a bucket is its largest there.
  put('gauge', 'inflight', 100 * proc + j, []);
  for (let k = 0; k < HISTOGRAM_SAMPLES; k++)
    put('histogram', 'latency', 5 + ((proc * 7 + j * 3 + k * 11) % 60), []);
}

/** Per series (full name, sorted tags) and bucket: what was recorded. */
export class Ledger {
  constructor(interval = 10) {
    this.interval = interval;
    this.entries = {};
  }

  /** `kind`: count (sum), gauge (max), histogram (count and sum of the samples). */
  note(kind, name, tags, t, value) {
    const bucket = Math.floor(t / this.interval) * this.interval;
    const key = `${name}|${[...tags].sort().join(',')}|${bucket}`;
    this.entries[key] ??= { kind, count: 0, sum: 0, max: Number.NEGATIVE_INFINITY };
    const e = this.entries[key];
    e.count++;
    e.sum += value;
    e.max = Math.max(e.max, value);
  }

  /** Adds another ledger's entries (JSON of `entries`) to this one. */
  add(entries) {
    for (const [key, e] of Object.entries(entries)) {
      this.entries[key] ??= { kind: e.kind, count: 0, sum: 0, max: Number.NEGATIVE_INFINITY };
      const mine = this.entries[key];
      mine.count += e.count;
      mine.sum += e.sum;
      mine.max = Math.max(mine.max, e.max);
    }
  }
}
