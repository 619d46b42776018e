import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { inflateSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureDist } from '../../scripts/bundle-examples.mjs';
import type { MetricsStats } from '../../src/index.js';
import { type Intake, type ReceivedSnapshot, startIntake } from '../../src/intake/index.js';
import {
  HISTOGRAM_SAMPLES,
  INVOCATIONS,
  Ledger,
  type LedgerEntry,
  NAMESPACE,
} from './support/concurrency-workload.mjs';
import { type FrontRequest, startTcpFront, type TcpFault, type TcpFront } from './support/tcp-front.js';

// Production concurrency (issue "Correct at production concurrency"): 12 OS processes of one handler, each
// running 25 Lambda-style invocations (the built package, withMetrics, a flush before each returns), all
// recording into the same series and the same 10-second buckets, against one local intake that stores like
// Datadog (last write wins per series and timestamp; distribution values added up). Each process talks to
// the intake through a TCP front of its own, so every fault and every stored byte is known per process.
// The workers import dist/ as it is (built here only when missing): run `npm run build` after changing src/.
const PROCESSES = 12;
const WORKER = fileURLToPath(new URL('./support/worker-process.mjs', import.meta.url));

interface WorkerReport {
  proc: number;
  /** Every invocation returned its own result within its time limit. */
  ok: boolean;
  carried: number;
  stats: MetricsStats;
  heard: Record<string, number>;
  ledger: Record<string, LedgerEntry>;
}

interface RunResult {
  reports: WorkerReport[];
  logs: FrontRequest[][];
  snapshot: ReceivedSnapshot;
  truth: Record<string, LedgerEntry>;
  durationMs: number;
}

/**
 * The faults of one process's front, by its request number (about one request in four): a 500 after the
 * intake stored the request, an RST after it stored it, an RST before (nothing stored), and a 503 from the
 * intake itself (injected there, so it meets whichever request arrives next, from any process). The
 * front's own faults are spaced so that a retry never meets the next one: at most one stored-but-failed
 * attempt per logical request (two would meet a known bug, see the fault suite's "500 after store twice").
 */
const faultPlan =
  (intake: Intake) =>
  ({ n }: { n: number }): TcpFault | undefined => {
    if (n % 16 === 3) return { kind: 'status-after-store', status: 500 };
    if (n % 16 === 8) return { kind: 'reset-after-store' };
    if (n % 16 === 13) return { kind: 'reset' };
    if (n % 16 === 11) intake.faults.inject({ status: 503, count: 1 });
    return undefined;
  };

function runWorker(url: string, mode: string, base: number, proc: number): Promise<WorkerReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WORKER, url, mode, String(base), String(proc)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0) return reject(new Error(`worker ${proc} exited ${code}: ${err.slice(0, 2000)}`));
      resolve(JSON.parse(last) as WorkerReport);
    });
  });
}

/** 12 processes of the workload in `mode`, at once, through faulted fronts into one fresh intake. */
async function runProcesses(mode: 'native' | 'distribution'): Promise<RunResult> {
  const intake = await startIntake({ quiet: true });
  const fronts: TcpFront[] = [];
  try {
    for (let p = 0; p < PROCESSES; p++) fronts.push(await startTcpFront(intake.port));
    for (const f of fronts) f.plan(faultPlan(intake));
    // Bucket-aligned, 30 minutes ago: inside the intake's window.
    const base = Math.floor(Date.now() / 1000 / 600) * 600 - 1800;
    const started = performance.now();
    const reports = await Promise.all(fronts.map((f, proc) => runWorker(f.url, mode, base, proc)));
    const durationMs = performance.now() - started;
    const truth = new Ledger();
    for (const r of reports) truth.add(r.ledger);
    return {
      reports,
      logs: fronts.map((f) => f.log),
      snapshot: intake.received(),
      truth: truth.entries,
      durationMs,
    };
  } finally {
    for (const f of fronts) await f.close();
    await intake.close();
  }
}

type Totals = { count: number; sum: number; max: number };
const key = (metric: string, tags: readonly string[], t: number): string =>
  `${metric}|${[...tags].sort().join(',')}|${t}`;
const addTo = (map: Map<string, Totals>, k: string, values: readonly number[]): void => {
  const e = map.get(k) ?? { count: 0, sum: 0, max: Number.NEGATIVE_INFINITY };
  e.count += values.length;
  for (const v of values) {
    e.sum += v;
    e.max = Math.max(e.max, v);
  }
  map.set(k, e);
};

const mergeInto = (map: Map<string, Totals>, k: string, e: Totals): void => {
  const mine = map.get(k) ?? { count: 0, sum: 0, max: Number.NEGATIVE_INFINITY };
  map.set(k, { count: mine.count + e.count, sum: mine.sum + e.sum, max: Math.max(mine.max, e.max) });
};
const totalOf = (map: Map<string, Totals>, metric: string, field: 'sum' | 'count'): number =>
  [...map].filter(([k]) => k.startsWith(`${metric}|`)).reduce((n, [, e]) => n + e[field], 0);

/** Distribution values in one request body as the front saw it (deflated JSON), per series and bucket. */
function distributionValues(body: Buffer | undefined, into: Map<string, Totals>): number {
  const payload = JSON.parse(inflateSync(body!).toString('utf8')) as {
    series: { metric: string; tags: string[]; points: [number, number[]][] }[];
  };
  let n = 0;
  for (const s of payload.series)
    for (const [t, values] of s.points) {
      addTo(into, key(s.metric, s.tags, t), values);
      n += values.length;
    }
  return n;
}

/** An attempt the client cannot know the fate of: it may have been stored (the client treats all as such). */
const ambiguousAttempt = (r: FrontRequest): boolean =>
  r.fault === 'reset' || r.fault === 'reset-after-store' || (r.answered ?? 0) >= 500;
/** Stored by the intake although the client saw a failure. */
const storedButFailed = (r: FrontRequest): boolean =>
  (r.fault === 'reset-after-store' || r.fault === 'status-after-store') && r.status === 202;

/**
 * One process's requests as its front saw them, grouped into the client's logical requests (a retry sends
 * the same bytes again; an attempt reset before its body arrived belongs to the retry that follows it —
 * a process sends one request at a time): which met an ambiguous attempt, their distribution values, and
 * what landed twice.
 */
function reconcileProcess(log: FrontRequest[]) {
  const groups: FrontRequest[][] = [];
  for (const r of log) {
    const group = groups.at(-1);
    const last = group?.at(-1);
    const retry =
      last !== undefined &&
      (last.body === undefined || (r.body !== undefined && last.path === r.path && last.body.equals(r.body)));
    if (retry) group!.push(r);
    else groups.push([r]);
  }
  const extra = new Map<string, Totals>();
  let extraValues = 0;
  let ambiguousRequests = 0;
  let valuesOfAmbiguous = 0;
  for (const attempts of groups) {
    const sent = attempts.find((a) => a.body !== undefined);
    if (sent === undefined) throw new Error('a logical request whose body the front never saw');
    const maybeStored = attempts.filter(ambiguousAttempt).length;
    if (maybeStored > 0) {
      ambiguousRequests++;
      // One count per attempt that may have stored the values besides the one that finally did.
      valuesOfAmbiguous += maybeStored * distributionValues(sent.body, new Map());
    }
    for (const a of attempts) if (storedButFailed(a)) extraValues += distributionValues(a.body, extra);
  }
  return { extra, extraValues, ambiguousRequests, valuesOfAmbiguous };
}

function checkWorkers(run: RunResult): void {
  const calls = INVOCATIONS * (4 + HISTOGRAM_SAMPLES); // 2 counts, a gauge, the cold-start count, samples
  const shared = Object.keys(run.truth)
    .filter((k) => !k.includes('cold_start:true'))
    .sort();
  for (const r of run.reports) {
    // Shared series and buckets: every process recorded into every one (its cold start aside).
    expect(
      Object.keys(r.ledger)
        .filter((k) => !k.includes('cold_start:true'))
        .sort(),
    ).toEqual(shared);
    expect(r.ok).toBe(true);
    expect(r.stats.buffered).toBe(0);
    expect(r.stats.recorded).toBe(calls);
    expect(Object.values(r.stats.dropped).every((n) => n === 0)).toBe(true);
  }
}

const pct = (part: number, whole: number): string => `${((100 * part) / whole).toFixed(1)} %`;
const sumOf = (truth: Record<string, LedgerEntry>, metric: string, field: 'sum' | 'count'): number =>
  Object.entries(truth)
    .filter(([k]) => k.startsWith(`${metric}|`))
    .reduce((n, [, e]) => n + e[field], 0);

describe(`multi-process: ${PROCESSES} processes × ${INVOCATIONS} invocations into shared series and buckets, one faulted intake`, () => {
  beforeAll(() => ensureDist(), 60_000);

  it("sendAs: 'distribution' stores the truth exactly, plus exactly the counted ambiguous re-sends that landed", async () => {
    const run = await runProcesses('distribution');
    checkWorkers(run);
    const stored = new Map<string, Totals>();
    for (const d of run.snapshot.distributions)
      for (const s of d.stats)
        stored.set(key(d.metric, d.tags, s.timestamp), { count: s.count, sum: s.sum, max: s.max });
    expect(run.snapshot.series).toEqual([]); // nothing went to the series endpoint

    // Per process, from its front's log: what landed twice, and what the client had to count.
    const extra = new Map<string, Totals>();
    let extraValues = 0;
    let resent = 0;
    let ambiguous = 0;
    run.logs.forEach((log, p) => {
      const own = reconcileProcess(log);
      const s = run.reports[p]!.stats;
      expect(s.ambiguous).toBe(own.ambiguousRequests);
      expect(s.resent).toBe(own.valuesOfAmbiguous); // every value sent again after an ambiguous attempt
      expect(own.extraValues).toBeLessThanOrEqual(s.resent);
      for (const [k, e] of own.extra) mergeInto(extra, k, e);
      extraValues += own.extraValues;
      resent += s.resent;
      ambiguous += s.ambiguous;
    });
    expect(extraValues).toBeGreaterThan(0); // the faults did land values twice: the test has teeth

    // Exact: stored = truth + what landed twice, per series and bucket.
    expect([...stored.keys()].sort()).toEqual(Object.keys(run.truth).sort());
    for (const [k, truth] of Object.entries(run.truth)) {
      const got = stored.get(k)!;
      const dup = extra.get(k) ?? { count: 0, sum: 0 };
      if (truth.kind === 'count') expect([k, got.sum]).toEqual([k, truth.sum + dup.sum]);
      if (truth.kind === 'histogram')
        expect([k, got.count, got.sum]).toEqual([k, truth.count + dup.count, truth.sum + dup.sum]);
      if (truth.kind === 'gauge') expect([k, got.max]).toEqual([k, truth.max]); // query with max: exact
    }
    // The bound a user can compute from stats() alone: truth ≤ stored ≤ truth + Σ resent (in values).
    const samples = sumOf(run.truth, `${NAMESPACE}.latency`, 'count');
    const storedSamples = totalOf(stored, `${NAMESPACE}.latency`, 'count');
    expect(storedSamples).toBeGreaterThanOrEqual(samples);
    expect(storedSamples).toBeLessThanOrEqual(samples + resent);

    const kinds = run.logs.flat().reduce<Record<string, number>>((m, r) => {
      const k = r.fault ?? (r.answered === 503 ? '503 (intake)' : undefined);
      if (k !== undefined) m[k] = (m[k] ?? 0) + 1;
      return m;
    }, {});
    expect(Object.keys(kinds).sort()).toEqual([
      '503 (intake)',
      'reset',
      'reset-after-store',
      'status-after-store',
    ]);
    console.log(
      `multi-process distribution: ${PROCESSES}×${INVOCATIONS} in ${Math.round(run.durationMs)} ms; ` +
        `requests ${run.logs.flat().length}, faults ${JSON.stringify(kinds)}; ambiguous ${ambiguous}, resent ${resent}, ` +
        `values landed twice ${extraValues} (of ${[...stored.values()].reduce((n, e) => n + e.count, 0)} stored); ` +
        `stored ${pct(totalOf(stored, `${NAMESPACE}.orders`, 'sum'), sumOf(run.truth, `${NAMESPACE}.orders`, 'sum'))} of the true count, ` +
        `${pct(storedSamples, samples)} of the histogram samples`,
    );
  }, 60_000);

  it('native mode (the default): last write wins across processes, and the store holds a fraction of the truth', async () => {
    const run = await runProcesses('native');
    checkWorkers(run);
    const stored = (metric: string): number =>
      run.snapshot.series
        .filter((s) => s.metric === metric)
        .reduce((n, s) => n + s.points.reduce((m, [, v]) => m + v, 0), 0);
    const counts = sumOf(run.truth, `${NAMESPACE}.orders`, 'sum');
    const invocations = sumOf(run.truth, `${NAMESPACE}.invocations`, 'sum');
    const samples = sumOf(run.truth, `${NAMESPACE}.latency`, 'count');
    const storedCounts = stored(`${NAMESPACE}.orders`);
    const storedInvocations = stored(`${NAMESPACE}.invocations`);
    const storedSamples = stored(`${NAMESPACE}.latency.count`);
    expect(invocations).toBe(PROCESSES * INVOCATIONS);
    for (const [got, truth] of [
      [storedCounts, counts],
      [storedInvocations, invocations],
      [storedSamples, samples],
    ] as const) {
      expect(got).toBeGreaterThan(0);
      expect(got / truth).toBeLessThan(0.5);
    }
    // Overwritten, not lost in transit: no bucket holds more than its truth, and writes replaced each other.
    for (const s of run.snapshot.series.filter((x) => x.metric === `${NAMESPACE}.orders`))
      for (const [t, v] of s.points) expect(v).toBeLessThanOrEqual(run.truth[key(s.metric, s.tags, t)]!.sum);
    const overwrites = run.snapshot.series.reduce((n, s) => n + s.overwrites, 0);
    expect(overwrites).toBeGreaterThan(0);
    console.log(
      `multi-process native: ${PROCESSES}×${INVOCATIONS} in ${Math.round(run.durationMs)} ms; stored ${pct(storedCounts, counts)} of the true count ` +
        `(orders ${storedCounts}/${counts}), ${pct(storedInvocations, invocations)} of the invocations (${storedInvocations}/${invocations}), ` +
        `${pct(storedSamples, samples)} of the histogram samples (${storedSamples}/${samples}); ${overwrites} overwrites`,
    );
  }, 60_000);
});
