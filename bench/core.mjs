// Child process (run with --expose-gc), workload I: the 0.2 core's state layout (DESIGN §8, issue 9).
// I1  heap per open counter series: 10,000 series more in a client holding 2,000, one point each, flushed
//     (a sent record stays inline while its bucket is open); the tags arrays are the caller's, not counted.
// I2  heap per retained count record: 1,000 series, a bucket each 10 s, each flushed; growth from the
//     10th to the 49th bucket over the records retained meanwhile (sent records of closed buckets live in
//     per-bucket columns; the series themselves were paid for before).
// I3  a flush of 10 dirty series among 50,000 retained records, against the same flush with no history
//     (CPU time per flush, median of 200 after 50 warm-up): flush cost follows what changed.
// Heap figures are the objects alive after the growth that were not before (two heap snapshots; see
// heap-diff.mjs), per series or record: stable from run to run, and an upper bound (a structure that grew
// counts whole, the smaller one it replaced is not subtracted). The heap-space totals were tried first and
// swung between ~200 and ~420 B per open series from one process to the next.
// Usage: node --expose-gc bench/core.mjs
import { tmpdir } from 'node:os';
import { cpuNs, distUrl, emit, median } from './common.mjs';
import { heapDiff } from './heap-diff.mjs';

const { createMetrics } = await import(distUrl('index.js'));
const sink = { send: async () => ({ status: 202 }) };

function client(clock) {
  return createMetrics({ transport: sink, flushInterval: 0, now: () => clock.ms, onError: () => {} });
}
const T0 = 1_700_000_000;
const tagsOf = (i) => [`env:prod`, `region:r${i % 10}`, `shard:s${i}`];

/** New live objects from `grow()`, by constructor, per `per`; their sum is the figure (see heap-diff.mjs). */
async function measureHeap(grow, per) {
  const d = await heapDiff(tmpdir(), grow, per);
  return { bytes: d.rows.reduce((n, r) => n + r.bytes, d.rest), rows: d.rows };
}

async function openSeries(first, more) {
  const clock = { ms: (T0 + 1) * 1000 };
  const tags = Array.from({ length: first + more }, (_, i) => tagsOf(i));
  const m = client(clock);
  const add = async (from, to) => {
    for (let i = from; i < to; i++) m.increment('orders', 1, { tags: tags[i] });
    await m.flush();
  };
  // From `first` to `first + more` series: the client's fixed cost and first-flush state are out.
  await add(0, first);
  return measureHeap(() => add(first, first + more), more);
}

async function retained(series, warm, measured) {
  const clock = { ms: (T0 + 1) * 1000 };
  const tags = Array.from({ length: series }, (_, i) => tagsOf(i));
  const m = client(clock);
  const bucket = async () => {
    for (let i = 0; i < series; i++) m.increment('orders', 1, { tags: tags[i] });
    await m.flush();
    clock.ms += 10_000;
  };
  // The first buckets leave one-off state (first-flush structures, the first bucket's inline records), so
  // the measure starts after `warm` of them, from one steady state to the next.
  for (let b = 0; b < warm; b++) await bucket();
  const from = m.stats().retained;
  const records = measured * series; // each bucket closes and stays: checked below
  const r = await measureHeap(async () => {
    for (let b = 0; b < measured; b++) await bucket();
  }, records);
  const grew = m.stats().retained - from;
  if (grew !== records) throw new Error(`expected ${records} more retained records, got ${grew}`);
  return { ...r, retained: records };
}

async function flushCost(history) {
  const clock = { ms: (T0 + 1) * 1000 };
  const m = client(clock);
  if (history > 0) {
    // 1,000 series × 50 buckets of sent records (50,000), then the clock stays inside the window.
    for (let b = 0; b < history / 1000; b++) {
      for (let i = 0; i < 1000; i++) m.increment('history', 1, { tags: tagsOf(i) });
      await m.flush();
      clock.ms += 10_000;
    }
  }
  const dirty = Array.from({ length: 10 }, (_, i) => tagsOf(i));
  const times = [];
  for (let r = 0; r < 250; r++) {
    for (const tags of dirty) m.increment('dirty', 1, { tags });
    const t = cpuNs();
    await m.flush();
    if (r >= 50) times.push(cpuNs() - t);
  }
  return { medianUs: median(times) / 1000, retained: m.stats().retained };
}

const open = await openSeries(2_000, 10_000);
const kept = await retained(1000, 10, 39); // 49,000 records: under the 50,000 of maxRetainedBuckets
// ABBA: the first measured client also warms the JIT for the second.
const runs = { none: [], full: [] };
for (const h of [0, 50_000, 50_000, 0]) runs[h === 0 ? 'none' : 'full'].push(await flushCost(h));
const none = { medianUs: median(runs.none.map((r) => r.medianUs)) };
const full = { medianUs: median(runs.full.map((r) => r.medianUs)), retained: runs.full[0].retained };
emit({
  workload: 'I',
  openSeriesBytes: open.bytes,
  openSeriesBreakdown: open.rows,
  retainedRecordBreakdown: kept.rows,
  retainedRecordBytes: kept.bytes,
  retainedRecords: kept.retained,
  flushNoHistoryUs: none.medianUs,
  flushWithHistoryUs: full.medianUs,
  historyRecords: full.retained,
  ratio: full.medianUs / none.medianUs,
});
