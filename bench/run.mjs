// `npm run bench`: builds dist/, runs workloads A–H for handlerstats (this tree and 0.1), the anchors and
// the floors in one run, then the 0.2 workloads: I (state layout), C (sendAs on the multi-process
// workload), L (Lambda response latency by flush mode in the Runtime API emulator); writes
// .bench-out/results.json and BENCHMARKS.md. Every hot-path cell runs in its own fresh `node` process (so
// one library's JIT state cannot slow another), twice, in opposite orders.
// Options: --quick (fewer rounds, for trying things), --no-build, --skip=G,H (skip sections).
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LIBRARIES, versionOf } from './adapters.mjs';
import { buildBaseline } from './baseline.mjs';
import { buildBundles, COLD_TARGETS, runColdStart, runImport } from './cold.mjs';
import { median, summary } from './common.mjs';
import { summarizeProfile } from './profile.mjs';
import { writeReport } from './report.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const outDir = join(root, '.bench-out');
const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const skip = new Set([...args].filter((a) => a.startsWith('--skip=')).flatMap((a) => a.slice(7).split(',')));
const started = Date.now();

const log = (msg) =>
  process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(3)}s] ${msg}\n`);

/** Runs a bench child and returns the JSON of its last stdout line. */
function child(script, childArgs, nodeFlags = [], env = {}) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [...nodeFlags, join(here, script), ...childArgs], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    p.stdout.on('data', (d) => {
      out += d;
      if (out.length > 1_000_000) out = out.slice(-100_000);
    });
    p.on('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(last));
      } catch {
        reject(new Error(`${script} ${childArgs.join(' ')} exited ${code}: ${last.slice(0, 200)}`));
      }
    });
  });
}

function machine() {
  const cpu = cpus();
  return {
    cpu: `${cpu[0]?.model ?? 'unknown'} × ${cpu.length}`,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${process.platform} ${release()}`,
    node: process.version,
    loadBefore: loadavg().map((x) => x.toFixed(2)),
  };
}

async function micro(results) {
  const cells = [];
  for (const lib of LIBRARIES) {
    if (lib.baseline && process.env.BENCH_BASELINE_DIR === undefined) continue;
    for (const w of lib.workloads) cells.push([lib.id, w]);
  }
  const env = { BENCH_ROUNDS: quick ? '5' : '9' };
  const runs = {};
  // Two passes in opposite orders; each pass is a fresh process per cell.
  for (const [pass, order] of [cells, [...cells].reverse()].entries()) {
    if (quick && pass === 1) break;
    for (const [id, w] of order) {
      const r = await child('micro.mjs', [id, w], [], env);
      const key = `${id}|${w}`;
      runs[key] ??= [];
      runs[key].push(r);
      log(`${w.padEnd(8)} ${id.padEnd(16)} ${r.median?.toFixed(1) ?? '-'} ns/op`);
    }
  }
  for (const [key, rs] of Object.entries(runs)) {
    const [id, workload] = key.split('|');
    const rounds = rs.flatMap((r) => r.rounds ?? []);
    const wall = rs.flatMap((r) => r.wall ?? []);
    if (rounds.length === 0) continue;
    const dropped = rs.reduce((n, r) => n + (r.dropped ?? 0), 0);
    results.micro.push({ id, workload, ...summary(rounds), wallMedian: median(wall), dropped });
  }
}

/**
 * V: this tree against 0.1, per workload, in fresh processes alternating between the two (5 pairs): on
 * this machine two processes of one cell differ by up to ±20 %, so the two A–D runs alone cannot say
 * which version is faster by less than that.
 */
async function versus(results) {
  if (process.env.BENCH_BASELINE_DIR === undefined) return;
  const pairs = quick ? 2 : 5;
  for (const w of ['A', 'B', 'C', 'Dh', 'Dd']) {
    const row = { workload: w, now: [], old: [] };
    for (let i = 0; i < pairs; i++) {
      const order = i % 2 === 0 ? ['handlerstats', 'handlerstats-0.1'] : ['handlerstats-0.1', 'handlerstats'];
      for (const id of order) {
        const r = await child('micro.mjs', [id, w], [], { BENCH_ROUNDS: '5' });
        row[id === 'handlerstats' ? 'now' : 'old'].push(r.median);
      }
    }
    row.nowMedian = median(row.now);
    row.oldMedian = median(row.old);
    results.versus.push(row);
    log(`V        ${w.padEnd(8)} 0.2 ${row.nowMedian.toFixed(1)} ns, 0.1 ${row.oldMedian.toFixed(1)} ns`);
  }
}

async function sectionE(results) {
  const ids = ['floor-key', 'handlerstats', 'datadog-metrics', 'hot-shots', 'powertools', 'otel'];
  if (process.env.BENCH_BASELINE_DIR !== undefined) ids.splice(2, 0, 'handlerstats-0.1');
  // Three passes in alternating order (a fresh process each): the floor and handlerstats are compared
  // within the same stretch of this shared machine's time, not one process each minutes apart.
  const runs = Object.fromEntries(ids.map((id) => [id, []]));
  for (const order of quick ? [ids] : [ids, [...ids].reverse(), ids])
    for (const id of order) runs[id].push(await child('flush.mjs', [id]));
  for (const id of ids) {
    const rs = runs[id];
    const rounds = rs.flatMap((r) => r.rounds ?? []);
    const { rounds: _r, wall: _w, ...first } = rs[0];
    const r = rounds.length > 0 ? { ...first, ...summary(rounds) } : first;
    results.flush.push(r);
    log(`E        ${id.padEnd(16)} ${r.median?.toFixed(3) ?? '-'} ms, ${r.bytes} B`);
  }
}

async function sectionF(results) {
  for (const id of ['floor-key', 'handlerstats', 'datadog-metrics', 'hot-shots', 'powertools', 'otel']) {
    const r = await child('memory.mjs', [id], ['--expose-gc']);
    results.memory.push(r);
    log(`F        ${id.padEnd(16)} ${r.perSeries?.toFixed(0) ?? '-'} B/series`);
  }
}

async function sectionG(results) {
  results.bundles = await buildBundles();
  log(
    `G        bundles: ${COLD_TARGETS.map((t) => `${t.id} ${results.bundles[t.id].minified} B`).join(', ')}`,
  );
  results.cold = await runColdStart({ rounds: quick ? 5 : 21 });
  for (const [id, r] of Object.entries(results.cold))
    log(`G        ${id.padEnd(20)} ${r.median?.toFixed(1)} ms`);
  results.imports = await runImport({ rounds: quick ? 5 : 21 });
  for (const [id, r] of Object.entries(results.imports))
    log(`G        import ${id.padEnd(20)} ${r.median?.toFixed(1)} ms`);
}

/** I: the 0.2 state layout (bytes per open series and per retained record, flush cost with history). */
async function sectionI(results) {
  results.core = await child('core.mjs', [], ['--expose-gc']);
  const c = results.core;
  log(
    `I        ${c.openSeriesBytes.toFixed(0)} B/open series, ${c.retainedRecordBytes.toFixed(0)} B/retained record, flush with history ${c.ratio.toFixed(2)}×`,
  );
}

/** C: sendAs 'distribution' vs native on the multi-process workload (bytes and CPU per flush). */
async function sectionC(results) {
  const r = await child('concurrency.mjs', [], [], { BENCH_ROUNDS: quick ? '4' : '11' });
  results.concurrency = r.concurrency;
  for (const x of r.concurrency)
    log(
      `C        ${x.sendAs.padEnd(12)} ${x.rawPerFlush.toFixed(0)} B/flush, ${x.cpuUsMedian.toFixed(0)} µs CPU`,
    );
}

/** L: response latency by flush mode, real aws-lambda-ric under the Runtime API emulator (needs `npm run provision`). */
async function sectionL(results) {
  try {
    const r = await child('lambda-latency.mjs', ['--runs', quick ? '10' : '30']);
    results.lambda = r;
    for (const x of r.results)
      log(
        `L        ${x.runtime.slice(0, 10)} ${x.mode.padEnd(16)} response ${x.response?.median?.toFixed(1)} ms`,
      );
  } catch (e) {
    results.lambda = { skipped: String(e.message).slice(0, 300) };
    log(`L        left out: ${results.lambda.skipped}`);
  }
}

async function sectionH(results) {
  const intake = spawn(process.execPath, [join(here, 'intake.mjs')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ports = await new Promise((resolve) => {
    intake.stdout.once('data', (d) => resolve(JSON.parse(String(d))));
  });
  try {
    const ids = ['floor', ...COLD_TARGETS.filter((t) => !t.floor).map((t) => t.id)];
    const r = await child('warm.mjs', [String(ports.http), String(ports.udp), ...ids]);
    results.warm = r.results;
    for (const x of r.results)
      log(`H        ${x.id.padEnd(20)} p50 ${x.p50.toFixed(3)} ms, p99 ${x.p99.toFixed(3)} ms`);
    if (!skip.has('P'))
      await profile(results, 'H', 'warm.mjs', [String(ports.http), String(ports.udp), 'handlerstats']);
  } finally {
    intake.kill();
  }
}

/** Runs a bench child under `node --cpu-prof`; the top self-time functions go into the report. */
async function profile(results, name, script, childArgs, env = {}) {
  const sub = join(outDir, 'profiles', name);
  rmSync(sub, { recursive: true, force: true });
  mkdirSync(sub, { recursive: true });
  await child(script, childArgs, ['--cpu-prof', `--cpu-prof-dir=${sub}`], env);
  const file = readdirSync(sub).find((f) => f.endsWith('.cpuprofile'));
  results.profiles[name] = {
    file: `.bench-out/profiles/${name}/${file}`,
    top: summarizeProfile(join(sub, file), 12),
  };
}

async function profiles(results) {
  for (const w of ['A', 'A-bound', 'B', 'C', 'Dh', 'Dd'])
    await profile(results, w, 'micro.mjs', ['handlerstats', w]);
  await profile(results, 'E', 'flush.mjs', ['handlerstats']);
}

const results = {
  generated: new Date().toISOString(),
  machine: machine(),
  versions: Object.fromEntries(
    LIBRARIES.filter((l) => l.pkg !== undefined)
      .map((l) => [l.pkg, versionOf(l.pkg)])
      .concat([
        ['undici', versionOf('undici')],
        ['esbuild', versionOf('esbuild')],
      ]),
  ),
  quick,
  micro: [],
  versus: [],
  flush: [],
  memory: [],
  bundles: {},
  cold: {},
  warm: [],
  imports: {},
  core: undefined,
  concurrency: [],
  lambda: undefined,
  profiles: {},
};

if (!args.has('--no-build')) {
  log('npm run build');
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
}
mkdirSync(outDir, { recursive: true });
// Children and bundles use a snapshot of dist/: other work in this tree may rebuild dist/ meanwhile.
const snapshot = join(outDir, 'dist');
rmSync(snapshot, { recursive: true, force: true });
cpSync(join(root, 'dist'), snapshot, { recursive: true });
process.env.BENCH_DIST_DIR = snapshot;
const baseline = await buildBaseline(root, outDir);
results.baseline = baseline.skipped === undefined ? { commit: baseline.commit } : baseline;
if (baseline.dir !== undefined) process.env.BENCH_BASELINE_DIR = baseline.dir;
else log(`0.1 rows left out: ${baseline.skipped}`);
const sections = {
  AD: micro,
  V: versus,
  E: sectionE,
  F: sectionF,
  G: sectionG,
  H: sectionH,
  I: sectionI,
  C: sectionC,
  L: sectionL,
  P: profiles,
};
for (const [name, run] of Object.entries(sections)) {
  if (skip.has(name)) continue;
  await run(results);
}
results.machine.loadAfter = loadavg().map((x) => x.toFixed(2));
results.durationSeconds = Math.round((Date.now() - started) / 1000);
writeFileSync(join(outDir, 'results.json'), JSON.stringify(results, null, 2));
writeReport(results, join(root, 'BENCHMARKS.md'));
log(`wrote BENCHMARKS.md and .bench-out/results.json in ${results.durationSeconds}s`);
