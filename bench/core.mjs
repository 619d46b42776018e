// Child process (run with --expose-gc), workload I: the 0.2 core's state layout (DESIGN §8, issue 9).
// I1  heap per open counter series: 10,000 series, one point each, flushed (a sent record stays inline).
// I2  heap per retained count record: 1,000 series × 50 buckets, each flushed when it closed; the
//     series' own cost (I1) taken out. Sent records of closed buckets live in per-bucket columns.
// I3  a flush of 10 dirty series among 50,000 retained records, against the same flush with no history
//     (CPU time per flush, median of 200 after 50 warm-up): flush cost follows what changed.
// Usage: node --expose-gc bench/core.mjs
import { getHeapSpaceStatistics } from 'node:v8';
import { cpuNs, distUrl, emit, median } from './common.mjs';

const { createMetrics } = await import(distUrl('index.js'));
const sink = { send: async () => ({ status: 202 }) };

function heap() {
  for (let i = 0; i < 4; i++) globalThis.gc();
  let used = 0;
  for (const s of getHeapSpaceStatistics()) if (!s.space_name.startsWith('code')) used += s.space_used_size;
  return used;
}

function client(clock) {
  return createMetrics({ transport: sink, flushInterval: 0, now: () => clock.ms, onError: () => {} });
}
const T0 = 1_700_000_000;
const tagsOf = (i) => [`env:prod`, `region:r${i % 10}`, `shard:s${i}`];

async function openSeries(n) {
  const clock = { ms: (T0 + 1) * 1000 };
  const tags = Array.from({ length: n }, (_, i) => tagsOf(i));
  const before = heap();
  const m = client(clock);
  for (let i = 0; i < n; i++) m.increment('orders', 1, { tags: tags[i] });
  await m.flush();
  const bytes = (heap() - before) / n;
  return { bytes, keep: m };
}

async function retained(series, buckets) {
  const clock = { ms: (T0 + 1) * 1000 };
  const tags = Array.from({ length: series }, (_, i) => tagsOf(i));
  const m = client(clock);
  for (let i = 0; i < series; i++) m.increment('orders', 1, { tags: tags[i] });
  await m.flush();
  clock.ms += 10_000;
  const before = heap();
  for (let b = 1; b < buckets; b++) {
    for (let i = 0; i < series; i++) m.increment('orders', 1, { tags: tags[i] });
    await m.flush();
    clock.ms += 10_000;
  }
  await m.flush(); // the last bucket closes: every record is in a column now
  const records = series * (buckets - 1);
  return { bytes: (heap() - before) / records, retained: m.stats().retained, keep: m };
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

const open = await openSeries(10_000);
const kept = await retained(1000, 51);
const none = await flushCost(0);
const full = await flushCost(50_000);
emit({
  workload: 'I',
  openSeriesBytes: open.bytes,
  retainedRecordBytes: kept.bytes,
  retainedRecords: kept.retained,
  flushNoHistoryUs: none.medianUs,
  flushWithHistoryUs: full.medianUs,
  historyRecords: full.retained,
  ratio: full.medianUs / none.medianUs,
});
