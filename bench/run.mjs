// `npm run bench`: builds dist/, runs workloads A–H for handlerstats, the anchors and the floors in one
// run, writes .bench-out/results.json and BENCHMARKS.md. Every hot-path cell runs in its own fresh
// `node` process (so one library's JIT state cannot slow another), twice, in opposite orders.
// Options: --quick (fewer rounds, for trying things), --no-build, --skip=G,H (skip sections).
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LIBRARIES, versionOf } from './adapters.mjs';
import { buildBundles, COLD_TARGETS, runColdStart } from './cold.mjs';
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
  for (const lib of LIBRARIES) for (const w of lib.workloads) cells.push([lib.id, w]);
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
    results.micro.push({ id, workload, ...summary(rounds), wallMedian: median(wall) });
  }
}

async function sectionE(results) {
  for (const id of ['floor-key', 'handlerstats', 'datadog-metrics', 'hot-shots', 'powertools', 'otel']) {
    const r = await child('flush.mjs', [id]);
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
  for (const w of ['A', 'A-bound', 'B', 'Dh', 'Dd'])
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
  flush: [],
  memory: [],
  bundles: {},
  cold: {},
  warm: [],
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
const sections = { AD: micro, E: sectionE, F: sectionF, G: sectionG, H: sectionH, P: profiles };
for (const [name, run] of Object.entries(sections)) {
  if (skip.has(name)) continue;
  await run(results);
}
results.machine.loadAfter = loadavg().map((x) => x.toFixed(2));
results.durationSeconds = Math.round((Date.now() - started) / 1000);
writeFileSync(join(outDir, 'results.json'), JSON.stringify(results, null, 2));
writeReport(results, join(root, 'BENCHMARKS.md'));
log(`wrote BENCHMARKS.md and .bench-out/results.json in ${results.durationSeconds}s`);
