// Turns .bench-out/results.json into BENCHMARKS.md: machine, versions, one table per workload with
// medians, spread and ratios, and the §8 targets marked met or missed. Run alone to re-render:
// `node bench/report.mjs` (reads .bench-out/results.json).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { COLD_TARGETS } from './cold.mjs';
import { ANCHORS, evaluate, fmt, KB, LABEL, microOf, notes, ratio } from './targets.mjs';

const WORKLOADS = {
  A: 'A. increment, one name, 3 tags (fresh tags literal per call)',
  B: 'B. increment over 1,000 rotating tag combinations',
  C: 'C. gauge, 3 tags',
  Dh: 'D. histogram, random values, 3 tags',
  Dd: 'D. distribution, random values, 3 tags',
};
const HS_VARIANTS = {
  'A-reuse': 'handlerstats, same tags array reused',
  'A-bound': 'handlerstats, bound `metrics.counter(name, {tags}).add(1)`',
  'A-object': 'handlerstats, tags as an object literal',
};

const mark = (ok) => (ok === undefined ? '—' : ok ? '✅ met' : '❌ missed');

function microTable(results, w) {
  const hs = microOf(results, 'handlerstats', w);
  const key = microOf(results, 'floor-key', w);
  const pre = microOf(results, 'floor-prebuilt', w);
  const head = [
    'library',
    'median ns/op',
    'spread (min–max)',
    'wall median',
    '÷ handlerstats',
    '÷ key-building floor',
  ];
  if (pre) head.push('÷ pre-built-key floor');
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => ' --- ').join('|')}|`];
  const ids = [
    'handlerstats',
    ...(w === 'A' ? Object.keys(HS_VARIANTS) : []),
    'handlerstats-0.1',
    'floor-key',
    'floor-prebuilt',
    'clock',
  ];
  const rows = [];
  for (const id of [...ids, ...ANCHORS]) {
    const variant = HS_VARIANTS[id];
    const r = variant ? microOf(results, 'handlerstats', id) : microOf(results, id, w);
    if (r?.median == null) continue;
    rows.push([variant ?? LABEL[id], r]);
  }
  for (const [label, r] of rows) {
    const cells = [
      r === hs ? `**${label}**` : label,
      r === hs ? `**${fmt(r.median)}**` : fmt(r.median),
      `${fmt(r.min)}–${fmt(r.max)}`,
      fmt(r.wallMedian),
      ratio(r.median, hs?.median),
      ratio(r.median, key?.median),
    ];
    if (pre) cells.push(ratio(r.median, pre.median));
    lines.push(`| ${cells.join(' | ')} |`);
  }
  // A dropped point costs less than a kept one: say so when a client shed anything during the run.
  for (const [label, r] of rows)
    if (r.dropped > 0)
      lines.push(
        `\n${label} dropped ${r.dropped.toLocaleString('en-US')} points in this run (\`stats().dropped\`).`,
      );
  return lines.join('\n');
}

function importTable(results) {
  const label = Object.fromEntries(COLD_TARGETS.map((t) => [t.id, t.label]));
  const lines = ['| Lambda entry | import, median (p90) |', '| --- | --- |'];
  for (const [id, r] of Object.entries(results.imports ?? {}))
    lines.push(
      `| ${id === 'handlerstats' ? `**${label[id]}**` : label[id]} | ${fmt(r.median)} ms (${fmt(r.p90)}) |`,
    );
  return lines.join('\n');
}

function modulesTable(results) {
  const m = results.bundles.handlerstats?.modules;
  if (m === undefined) return '';
  const lines = ['| source file | minified bytes in the entry |', '| --- | --- |'];
  for (const x of m.modules.slice(0, 15))
    lines.push(`| \`src/${x.file}\` | ${x.bytes.toLocaleString('en-US')} |`);
  const rest = m.modules.slice(15);
  if (rest.length > 0)
    lines.push(
      `| ${rest.length} more files | ${rest.reduce((n, x) => n + x.bytes, 0).toLocaleString('en-US')} |`,
    );
  lines.push(`| **total** (built from src/) | **${m.total.toLocaleString('en-US')}** |`);
  return lines.join('\n');
}

function coreTable(results) {
  const c = results.core;
  if (c === undefined) return 'Not run (`--skip=I`).';
  return (
    [
      '| measure | handlerstats | target |',
      '| --- | --- | --- |',
      `| I1. heap per open counter series (10,000 more series in a client, one point each, flushed) | ${fmt(c.openSeriesBytes)} B | ≤ 300 B |`,
      `| I2. heap per retained count record (1,000 series, ${c.retainedRecords.toLocaleString('en-US')} records of closed buckets) | ${fmt(c.retainedRecordBytes)} B | ≤ 48 B |`,
      `| I3. flush of 10 dirty series, no history | ${fmt(c.flushNoHistoryUs)} µs | |`,
      `| I3. the same among ${c.historyRecords.toLocaleString('en-US')} retained records | ${fmt(c.flushWithHistoryUs)} µs (${ratio(c.flushWithHistoryUs, c.flushNoHistoryUs)}) | ≤ 1.5× |`,
    ].join('\n') +
    breakdown('an open counter series', c.openSeriesBreakdown) +
    breakdown('a retained count record', c.retainedRecordBreakdown)
  );
}

/** The heap-snapshot breakdown of one I figure, as a sentence. */
function breakdown(what, rows) {
  if (!rows?.length) return '';
  const parts = rows.filter((r) => r.bytes >= 1).map((r) => `${r.name} ${fmt(r.bytes)} B`);
  return `\n\nWhat ${what} is made of (new live objects by constructor or V8 type, per unit): ${parts.join(' · ')}.`;
}

function concurrencyTable(results) {
  const rs = results.concurrency ?? [];
  if (rs.length === 0) return 'Not run (`--skip=C`).';
  const f = (x, d = 0) => (x == null ? '—' : x.toLocaleString('en-US', { maximumFractionDigits: d }));
  const lines = [
    '| sendAs | requests / flush | body / flush, raw | deflated | CPU / flush, median (p90) | wall / flush, median |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rs.map(
      (r) =>
        `| ${r.sendAs} | ${f(r.requestsPerFlush, 2)} | ${f(r.rawPerFlush)} B | ${f(r.deflatedPerFlush)} B | ${f(r.cpuUsMedian)} µs (${f(r.cpuUsP90)}) | ${f(r.wallUsMedian)} µs |`,
    ),
  ];
  const [n, d] = [rs.find((r) => r.sendAs === 'native'), rs.find((r) => r.sendAs === 'distribution')];
  if (n && d)
    lines.push(
      `| distribution ÷ native | ${ratio(d.requestsPerFlush, n.requestsPerFlush)} | ${ratio(d.rawPerFlush, n.rawPerFlush)} | ${ratio(d.deflatedPerFlush, n.deflatedPerFlush)} | ${ratio(d.cpuUsMedian, n.cpuUsMedian)} | ${ratio(d.wallUsMedian, n.wallUsMedian)} |`,
    );
  return lines.join('\n');
}

function lambdaTable(results) {
  const l = results.lambda;
  if (l === undefined) return 'Not run (`--skip=L`).';
  if (l.skipped !== undefined) return `Not measured in this run: ${l.skipped}`;
  const ms = (x) => (x === undefined ? '—' : `${fmt(x.median)} ms (p90 ${fmt(x.p90)})`);
  return [
    '| runtime | mode | response | busy until frozen | metrics at the intake |',
    '| --- | --- | --- | --- | --- |',
    ...l.results.map(
      (r) => `| ${r.runtime} | ${r.label} | ${ms(r.response)} | ${ms(r.busy)} | ${ms(r.delivery)} |`,
    ),
  ].join('\n');
}

function flushTable(results) {
  const floor = results.flush.find((r) => r.id === 'floor-key');
  const hs = results.flush.find((r) => r.id === 'handlerstats');
  const lines = [
    '| library | median ms | spread (min–max) | ÷ floor | ÷ handlerstats | bytes on the wire | compressed |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  const label = { ...LABEL, 'floor-key': 'floor: JSON.stringify + deflate of the same payload' };
  const compressed = { 'floor-key': 'deflate', handlerstats: 'deflate' };
  for (const r of results.flush) {
    const name = r.id === 'handlerstats' ? `**${label[r.id]}**` : label[r.id];
    const note = r.note ? ` (${r.note})` : '';
    lines.push(
      `| ${name}${note} | ${fmt(r.median)} | ${r.min == null ? '—' : `${fmt(r.min)}–${fmt(r.max)}`} | ${ratio(r.median, floor?.median)} | ${ratio(r.median, hs?.median)} | ${r.bytes.toLocaleString('en-US')} | ${compressed[r.id] ?? 'no'} |`,
    );
  }
  return lines.join('\n');
}

function memoryTable(results) {
  const floor = results.memory.find((r) => r.id === 'floor-key');
  const lines = [
    '| library | B/series after recording | B/series after flush | ÷ floor (max of both) |',
    '| --- | --- | --- | --- |',
  ];
  const label = { ...LABEL, 'floor-key': 'floor: Map<string, number>, key built per call' };
  for (const r of results.memory) {
    if (r.skipped) {
      lines.push(`| ${label[r.id]} | — | — | n/a: ${r.note} |`);
      continue;
    }
    const name = r.id === 'handlerstats' ? `**${label[r.id]}**` : label[r.id];
    lines.push(
      `| ${name} | ${fmt(r.recorded)} | ${fmt(r.afterFlush)} | ${ratio(r.perSeries, floor?.perSeries)} |`,
    );
  }
  return lines.join('\n');
}

function coldTable(results) {
  const base = results.cold['node -e 0'];
  const lines = [
    '| library (Lambda entry) | bundle, minified | gzip | start → first flush at intake, median (p90) | over `node -e 0` |',
    '| --- | --- | --- | --- | --- |',
    `| \`node -e 0\` (spawn → exit) | — | — | ${fmt(base?.median)} ms (${fmt(base?.p90)}) | — |`,
  ];
  for (const t of COLD_TARGETS) {
    const b = results.bundles[t.id];
    const c = results.cold[t.id];
    const name = t.id === 'handlerstats' ? `**${t.label}**` : t.label;
    const failed = c?.failures?.length ? ` (${c.failures.length} failed)` : '';
    lines.push(
      `| ${name} | ${b ? `${fmt(b.minified / KB)} KB` : '—'} | ${b ? `${fmt(b.gzip / KB)} KB` : '—'} | ${fmt(c?.median)} ms (${fmt(c?.p90)})${failed} | ${c?.median != null && base?.median != null ? `${fmt(c.median - base.median)} ms` : '—'} |`,
    );
  }
  return lines.join('\n');
}

function warmTable(results) {
  const label = Object.fromEntries(COLD_TARGETS.map((t) => [t.id, t.label]));
  label.floor = 'floor: bare keep-alive node:http POST, pre-built body';
  const lines = ['| client | p50 ms | p90 ms | p99 ms |', '| --- | --- | --- | --- |'];
  for (const r of results.warm) {
    const name = r.id === 'handlerstats' ? `**${label[r.id]}**` : label[r.id];
    lines.push(`| ${name} | ${fmt(r.p50)} | ${fmt(r.p90)} | ${fmt(r.p99)} |`);
  }
  return lines.join('\n');
}

function profileSection(results) {
  const out = [];
  for (const [w, p] of Object.entries(results.profiles)) {
    out.push(`**${w}** (\`${p.file}\`): ${p.top.map((r) => `${r.fn} ${r.percent}%`).join(' · ')}`);
  }
  return out.join('\n\n');
}

export function renderReport(results) {
  const m = results.machine;
  const targets = evaluate(results);
  const missed = targets.filter((t) => t.ok === false).length;
  const versions = Object.entries(results.versions)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return `# Benchmarks

Generated by \`npm run bench\` on ${results.generated.slice(0, 16).replace('T', ' ')} UTC in ${results.durationSeconds ?? '?'} s${results.quick ? ' (**--quick**: fewer rounds, not for publishing)' : ''}.
Do not edit by hand: change \`bench/\` and run it again. Raw numbers: \`.bench-out/results.json\`.

- Machine: ${m.cpu}, ${m.memoryGiB} GiB, ${m.os}; Node ${m.node}.
- Load average (1/5/15 min) before: ${m.loadBefore.join(' / ')}, after: ${(m.loadAfter ?? []).join(' / ')}. On a shared machine the spread columns show how much that mattered; ratios are taken within the same run.
- Versions: ${versions}.

## Targets (DESIGN.md §8; 0.1: issue 5, 0.2: issues 9–12)

${missed === 0 ? 'Every target is met.' : `${missed} of ${targets.length} targets missed; the reasons are under [Notes](#notes).`}

| target | measured | |
| --- | --- | --- |
${targets.map((t) => `| ${t.target} | ${t.measured} | ${mark(t.ok)} |`).join('\n')}

## How it is measured

- **A–D (hot path)**: every cell (library × workload) runs in a fresh \`node\` process, twice, in opposite
  orders; each run warms up for 0.3 s, calibrates a round to ~0.1 s, then times ${results.quick ? 5 : 9} rounds.
  The median and spread are over all rounds of both runs, in **CPU time** per call (\`process.cpuUsage()\`, all
  threads, so GC and JIT work count but other processes on this shared machine do not); wall time alongside. No network I/O: handlerstats flushes
  to a stub transport between rounds, datadog-metrics to a stub reporter, hot-shots runs in mock mode (its
  buffer cleared between rounds), Powertools' EMF output goes to a sink, OTel uses a manual reader.
- Tags: each call builds its tags literal (\`['env:prod', 'region:eu-west-1', 'plan:pro']\`, or the object form
  for OTel), as handler code does. B builds a fresh array from 1,000 pre-built combinations. Powertools has no
  per-call tags: A/C/D set its dimensions once (its fastest path), B uses \`singleMetric()\` (its way to give one
  metric its own dimensions), which publishes one EMF document per call. Powertools has no histogram (D
  histogram row absent); its D distribution row is \`addMetric\` of raw values.
- Floors: a bare \`Map<string, number>\` keyed by \`name + '|' + tags.join(',')\` (for D: a \`Map<string,
  number[]>\` push), and the same with a pre-built key. \`Date.now()\` alone is shown because every client that
  buckets by time pays it once per point.
- **E**: 1,000 series recorded untimed, then the flush timed in CPU time (150 rounds after 30 warm-up, in each of three fresh processes per library, the libraries in alternating order): handlerstats
  \`flush()\` through a transport that deflates the body like the node:http one; datadog-metrics through its own
  API client's serializer (it sends uncompressed JSON); OTel \`collect()\` + \`JSON.stringify\` (no OTLP exporter is
  installed: a lower bound); Powertools 1,000 single-metric EMF documents; hot-shots has no flush step.
- **F**: \`--expose-gc\`, data heap spaces only (compiled code excluded); a fresh client records one point for each
  of 1,000 series, then flushes; median of 15 clients after a throwaway one warmed the code.
- **G**: \`esbuild --bundle --minify --platform=node --format=esm\` of \`bench/entries/*.mjs\` (handlerstats from
  \`dist/\`); each bundle plus one handler invocation is started ${results.quick ? 5 : 21} times as a fresh process
  (order rotated per round) and timed from spawn to the first request body (or datagram, or EMF line) reaching
  the loopback intake in the parent process. \`node -e 0\` is timed from spawn to exit.
- **H**: one invocation records 3 counts, a gauge and 2 histogram values, then flushes to a loopback intake in
  its own process over keep-alive; 2,000 timed flushes after 300 warm-up, client-side.
- **0.1 rows**: the sources of the commit that landed as 0.1 (${results.baseline?.commit?.slice(0, 7) ?? 'not in this checkout'}) bundled by esbuild into
  \`.bench-out/v0.1/\`, measured by the same adapter in the same run, so \`÷ datadog-metrics\` compares like with like.
  The 0.1 targets use a separate series (V): per workload, 5 pairs of fresh processes alternating 0.2 and 0.1
  (5 rounds each), median of the process medians; the two A–D runs alone differ by up to ±20 % per process here.
- **Import**: a fresh \`node\` imports an empty file (the ESM loader's start, paid by any ESM handler), then the
  entry bundle of G (which creates its client at module scope); timed inside the process, ${results.quick ? 5 : 21} processes.
- **I**: \`--expose-gc\`, data heap spaces; see the table for the shapes. I3 is CPU time per \`flush()\`, median of 200
  after 50 warm-up, through a transport that answers 202 without sending.
- **C**: the multi-process workload of the fault suite (12 clients × 25 invocations into shared series), every
  flush through a transport that deflates like node:http; CPU time of the process per flush, two fresh processes
  per mode in ABBA order.
- **L**: the real aws-lambda-ric (3 on Node 22, 4 on Node 24) under the Runtime API emulator of the
  lambda-runtime suite (frozen between invocations, Extensions API), the intake answering 80 ms late;
  ${results.lambda?.runs ?? '—'} invocations per row after two warm-ups; milliseconds from the invoke (\`Date.now()\`).

${Object.entries(WORKLOADS)
  .map(([w, title]) => `### ${title}\n\n${microTable(results, w)}`)
  .join('\n\n')}

### E. Flush of 1,000 series (serialize + compress)

${flushTable(results)}

### F. Retained heap per series-bucket

${memoryTable(results)}

### G. Cold start

${coldTable(results)}

Importing the entry (no invocation):

${importTable(results)}

Where the handlerstats entry's bytes come from (the same entry bundled from \`src/\` with a metafile):

${modulesTable(results)}

### H. Warm flush latency to a loopback intake

${warmTable(results)}

### I. The 0.2 state layout

${coreTable(results)}

### C. \`sendAs: 'distribution'\` vs native on the multi-process workload

${concurrencyTable(results)}

### L. Lambda response latency by flush mode

${lambdaTable(results)}

## Notes

${notes(results, targets)}

## Profiles of the handlerstats hot paths (\`node --cpu-prof\`, self time)

Whole-process profiles of one run of each workload: they include the untimed flushes between rounds (for
Dd that is most of the profile: serializing hundreds of thousands of values), and \`record\` includes the
inlined \`Date.now()\`. Open the files in Chrome DevTools or speedscope for call trees.

${profileSection(results)}
`;
}

export function writeReport(results, file) {
  writeFileSync(file, renderReport(results));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const results = JSON.parse(readFileSync(join(root, '.bench-out', 'results.json'), 'utf8'));
  writeReport(results, join(root, 'BENCHMARKS.md'));
}
