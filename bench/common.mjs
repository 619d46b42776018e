import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// Shared by every bench child: the workload data, the timing loop and small statistics helpers.

export const NAME = 'bench.requests';

/**
 * URL of a file of the handlerstats build under test: BENCH_DIST_DIR (run.mjs points it at a snapshot of
 * dist/ taken right after building, so a concurrent rebuild cannot pull files from under a run), else dist/.
 */
export function distUrl(file) {
  const dir = process.env.BENCH_DIST_DIR ?? join(fileURLToPath(import.meta.url), '..', '..', 'dist');
  return pathToFileURL(join(dir, file)).href;
}
export const COMBO_COUNT = 1000;

/** Deterministic pseudo-random numbers (so every library sees the same values). */
export function lcg(seed = 42) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** 1,000 tag combinations: `tags` as Datadog strings, `values` for libraries that take attribute objects. */
export const COMBOS = Array.from({ length: COMBO_COUNT }, (_, i) => {
  const values = ['prod', `r${i % 10}`, `s${i}`];
  return { tags: [`env:${values[0]}`, `region:${values[1]}`, `shard:${values[2]}`], values };
});

/** 4,096 random latencies in ms (0–250, long-tailed), read round-robin by the histogram workloads. */
export const VALUES = (() => {
  const next = lcg(7);
  const out = new Float64Array(4096);
  for (let i = 0; i < out.length; i++) out[i] = Math.round(-Math.log(1 - next()) * 40 * 100) / 100;
  return out;
})();

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Nearest-rank percentile. */
export function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil(p * s.length) - 1)];
}

export function summary(xs) {
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length };
}

/** CPU time of this process (user + system, all threads) in ns: immune to being descheduled. */
export function cpuNs() {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
}

/**
 * Times `op(i)` in a tight loop: warm-up, calibration to ~`roundMs` per round, then `rounds` rounds.
 * `between()` runs untimed after every round (flush a buffer, clear a mock). Returns ns per op, both as
 * CPU time (`rounds`, the reported figure: a shared machine's other load does not count) and wall time.
 */
export async function timeLoop(
  op,
  between,
  { rounds = Number(process.env.BENCH_ROUNDS ?? 11), roundMs = 100, warmupMs = 300 } = {},
) {
  let cpu = 0;
  const run = (n) => {
    const c0 = cpuNs();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) op(i);
    const wall = Number(process.hrtime.bigint() - t0);
    cpu = cpuNs() - c0;
    return wall;
  };
  let n = 1000;
  const warmEnd = performance.now() + warmupMs;
  while (performance.now() < warmEnd) {
    run(n);
    await between();
    if (cpu < roundMs * 1e6 * 0.5) n *= 2;
  }
  run(n);
  await between();
  n = Math.max(1000, Math.round((n * roundMs * 1e6) / Math.max(cpu, 1)));
  const perOp = [];
  const wallPerOp = [];
  for (let r = 0; r < rounds; r++) {
    wallPerOp.push(run(n) / n);
    perOp.push(cpu / n);
    await between();
  }
  return { ...summary(perOp), opsPerRound: n, rounds: perOp, wall: wallPerOp };
}

/** Prints the child's result on stdout as one JSON line (the parent reads the last line). */
export function emit(result) {
  process.stdout.write(`\n${JSON.stringify(result)}\n`);
}

/** A handlerstats transport that accepts everything and sends nothing. */
export const nullTransport = { send: async () => ({ status: 202 }) };
