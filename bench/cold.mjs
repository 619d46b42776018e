// Workload G: cold start. (1) The minified esbuild bundle of each library's smallest Lambda entry
// (bench/entries/*.mjs), handlerstats resolved to the built dist/. (2) Time from spawning a fresh `node`
// on that bundle (plus one handler invocation) to its first flush reaching the loopback intake, median
// of fresh processes, against `node -e 0` (spawn to exit). Libraries rotate every round so drift on a
// shared machine spreads over all of them.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { median, percentile } from './common.mjs';
import { startIntake } from './intake.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const out = join(root, '.bench-out', 'bundles');
const require = createRequire(import.meta.url);

export const COLD_TARGETS = [
  { id: 'floor-http', label: 'floor: bare node:http POST, no library', arrival: 'http', floor: true },
  { id: 'handlerstats', label: 'handlerstats (node:http, default)', arrival: 'http' },
  { id: 'handlerstats-fetch', label: 'handlerstats (global fetch)', arrival: 'http' },
  { id: 'handlerstats-undici', label: 'handlerstats (undici 7)', arrival: 'http' },
  { id: 'datadog-metrics', label: 'datadog-metrics', arrival: 'http' },
  { id: 'hot-shots', label: 'hot-shots (UDP)', arrival: 'udp' },
  { id: 'powertools', label: 'Powertools metrics (EMF on stdout)', arrival: 'stdout' },
  { id: 'otel', label: 'OTel sdk-metrics (+ minimal exporter)', arrival: 'http' },
];

/** Resolves `handlerstats` and its subpaths to dist/ files through package.json `exports`. */
const distPlugin = {
  name: 'handlerstats-dist',
  setup(b) {
    const pkg = require('../package.json');
    b.onResolve({ filter: /^handlerstats(\/.*)?$/ }, (args) => {
      const sub = args.path === 'handlerstats' ? '.' : `.${args.path.slice('handlerstats'.length)}`;
      const target = pkg.exports[sub];
      const file = (typeof target === 'string' ? target : target.default).replace(/^\.\/dist\//, '');
      return { path: join(process.env.BENCH_DIST_DIR ?? join(root, 'dist'), file) };
    });
  },
};

// CommonJS libraries bundled to ESM need a real `require` for Node built-ins.
const REQUIRE_BANNER = "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);";

async function bundle(options, outfile) {
  const base = {
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outfile,
    logLevel: 'error',
    plugins: [distPlugin],
    ...options,
  };
  await build(base);
  if (readFileSync(outfile, 'utf8').includes('Dynamic require of')) {
    await build({ ...base, banner: { js: REQUIRE_BANNER } });
  }
  return readFileSync(outfile);
}

/** Builds every entry (size) and its runnable cold-start program (entry + one invocation). */
export async function buildBundles() {
  mkdirSync(out, { recursive: true });
  const sizes = {};
  for (const t of COLD_TARGETS) {
    const entry = join(here, 'entries', `${t.id}.mjs`);
    const code = await bundle({ entryPoints: [entry] }, join(out, `${t.id}.mjs`));
    sizes[t.id] = { minified: code.length, gzip: gzipSync(code, { level: 9 }).length };
    const invoke = [
      `import { handler } from ${JSON.stringify(entry)};`,
      "await handler({}, { functionName: 'bench', awsRequestId: 'cold', getRemainingTimeInMillis: () => 3000 });",
      'process.exit(0);',
    ].join('\n');
    await bundle(
      { stdin: { contents: invoke, resolveDir: here, sourcefile: 'invoke.mjs' } },
      join(out, `${t.id}.run.mjs`),
    );
  }
  sizes.handlerstats.modules = await moduleBreakdown();
  writeFileSync(join(out, 'sizes.json'), JSON.stringify(sizes, null, 2));
  return sizes;
}

/**
 * Where the handlerstats Lambda entry's bytes come from: the same entry bundled and minified from src/
 * (dist/ is already bundled into chunks), esbuild's metafile giving each source file's bytes in the output.
 */
async function moduleBreakdown() {
  const entry = [
    `import { createMetrics } from ${JSON.stringify(join(root, 'src', 'index.ts'))};`,
    `import { withMetrics } from ${JSON.stringify(join(root, 'src', 'integrations', 'lambda.ts'))};`,
    'const metrics = createMetrics({ flushInterval: 0 });',
    "export const handler = withMetrics(metrics, async () => { metrics.increment('cold.start', 1, { tags: ['fn:bench'] }); return { statusCode: 200 }; });",
  ].join('\n');
  const result = await build({
    stdin: { contents: entry, resolveDir: root, sourcefile: 'entry.mjs', loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    write: false,
    metafile: true,
    logLevel: 'error',
  });
  const [output] = Object.values(result.metafile.outputs);
  const modules = Object.entries(output.inputs)
    .map(([file, { bytesInOutput }]) => ({ file: file.replace(/^src\//, ''), bytes: bytesInOutput }))
    .filter((m) => m.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes);
  return { total: result.outputFiles[0].contents.length, modules };
}

export const IMPORT_TARGETS = ['handlerstats', 'handlerstats-fetch', 'handlerstats-undici', 'powertools'];

/** Time to import an entry bundle (no invocation), measured inside a fresh process: median of `rounds`. */
export async function runImport({ rounds = 21 } = {}) {
  const samples = Object.fromEntries(IMPORT_TARGETS.map((id) => [id, []]));
  const empty = join(out, 'empty.mjs');
  writeFileSync(empty, 'export default 0;\n');
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < IMPORT_TARGETS.length; k++) {
      const t = { id: IMPORT_TARGETS[(k + r) % IMPORT_TARGETS.length] };
      const url = pathToFileURL(join(out, `${t.id}.mjs`)).href;
      // The ESM loader's own start (5–7 ms here for an empty file) is paid first: every ESM handler pays it,
      // with or without metrics. The figure is the entry's load, evaluation and client setup.
      const code = `await import(${JSON.stringify(pathToFileURL(empty).href)});const t=performance.now();await import(${JSON.stringify(url)});process.stdout.write(String(performance.now()-t));process.exit(0);`;
      try {
        const ms = Number(
          execFileSync(process.execPath, ['--input-type=module', '-e', code], {
            // Nothing listens on port 9: importing creates the clients but sends nothing.
            env: {
              PATH: process.env.PATH,
              DD_API_KEY: 'bench',
              DD_DD_URL: 'http://127.0.0.1:9',
              POWERTOOLS_METRICS_NAMESPACE: 'bench',
            },
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'ignore'],
            timeout: 15_000,
          }),
        );
        if (Number.isFinite(ms)) samples[t.id].push(ms);
      } catch {
        // counted below as a missing sample
      }
    }
  }
  return Object.fromEntries(
    Object.entries(samples).map(([id, xs]) => [
      id,
      {
        median: xs.length > 0 ? median(xs) : null,
        p90: xs.length > 0 ? percentile(xs, 0.9) : null,
        n: xs.length,
      },
    ]),
  );
}

function runOnce(args, env, waitFor, intakeState) {
  return new Promise((resolve) => {
    let arrived;
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const arrive = () => {
      if (arrived === undefined) arrived = performance.now() - t0;
    };
    intakeState.onArrival = (kind) => {
      if (kind === waitFor) arrive();
    };
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      if (waitFor === 'stdout' && chunk.includes('_aws')) arrive();
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      intakeState.onArrival = () => {};
      const exited = performance.now() - t0;
      resolve({ arrived: waitFor === 'exit' ? exited : arrived, exited, code, stderr: stderr.slice(0, 500) });
    });
  });
}

/** Runs the cold-start rounds. Returns per target: median/p90 ms to first flush, and the baseline. */
export async function runColdStart({ rounds = 15 } = {}) {
  const state = { onArrival: () => {} };
  const intake = await startIntake((kind) => state.onArrival(kind));
  const env = {
    PATH: process.env.PATH,
    DD_API_KEY: 'bench',
    DD_DD_URL: `http://127.0.0.1:${intake.http}`,
    STATSD_PORT: String(intake.udp),
    POWERTOOLS_METRICS_NAMESPACE: 'bench',
  };
  const jobs = [
    { id: 'node -e 0', args: ['-e', '0'], waitFor: 'exit' },
    ...COLD_TARGETS.map((t) => ({ id: t.id, args: [join(out, `${t.id}.run.mjs`)], waitFor: t.arrival })),
  ];
  const samples = Object.fromEntries(jobs.map((j) => [j.id, { arrived: [], exited: [], failures: [] }]));
  // One untimed pass warms the OS file cache for every bundle.
  for (const j of jobs) await runOnce(j.args, env, j.waitFor, state);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < jobs.length; k++) {
      const j = jobs[(k + r) % jobs.length];
      const res = await runOnce(j.args, env, j.waitFor, state);
      const s = samples[j.id];
      if (res.arrived === undefined || res.code !== 0) s.failures.push(res.stderr || `exit ${res.code}`);
      else {
        s.arrived.push(res.arrived);
        s.exited.push(res.exited);
      }
    }
  }
  await intake.close();
  const summary = {};
  for (const [id, s] of Object.entries(samples)) {
    summary[id] = {
      median: s.arrived.length > 0 ? median(s.arrived) : null,
      p90: s.arrived.length > 0 ? percentile(s.arrived, 0.9) : null,
      exitMedian: s.exited.length > 0 ? median(s.exited) : null,
      n: s.arrived.length,
      failures: s.failures.slice(0, 3),
    };
  }
  return summary;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(await buildBundles());
  console.log(await runColdStart({ rounds: Number(process.argv[2] ?? 15) }));
}
