import type { Metrics, MetricsStats } from '../../../src/index.js';

/** Highest values seen of the bounded quantities while a load runs. */
export interface Peaks {
  buffered: number;
  retained: number;
  series: number;
  memoryBytes: number;
  heapUsed: number;
  samples: number;
}

/** Samples `stats()` and the heap (on demand and every `everyMs`), keeping the peaks. */
export function sampler(metrics: Metrics, everyMs = 10) {
  const peaks: Peaks = { buffered: 0, retained: 0, series: 0, memoryBytes: 0, heapUsed: 0, samples: 0 };
  const sample = (): MetricsStats => {
    const s = metrics.stats();
    peaks.buffered = Math.max(peaks.buffered, s.buffered);
    peaks.retained = Math.max(peaks.retained, s.retained);
    peaks.series = Math.max(peaks.series, s.series);
    peaks.memoryBytes = Math.max(peaks.memoryBytes, s.memoryBytes);
    peaks.heapUsed = Math.max(peaks.heapUsed, process.memoryUsage().heapUsed);
    peaks.samples++;
    return s;
  };
  const timer = setInterval(sample, everyMs);
  return {
    peaks,
    sample,
    stop(): void {
      clearInterval(timer);
    },
  };
}

/** Heap in use after a full collection (the faults project runs with --expose-gc). */
export function settledHeap(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

/** Lets other invocations run: a macrotask turn of random length (0–`maxMs` ms). */
export function interleave(random: () => number, maxMs = 3): Promise<void> {
  const ms = Math.floor(random() * (maxMs + 1));
  return new Promise((resolve) => (ms === 0 ? setImmediate(resolve) : setTimeout(resolve, ms)));
}

/** A small seeded PRNG (mulberry32): the same workload on every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const MB = 1024 * 1024;
