// Lambda latency by flush mode: the real aws-lambda-ric (3 on Node 22, 4 on Node 24) driven by the Runtime
// API emulator of test/lambda-runtime (frozen between invocations, Extensions API), an intake that answers
// 80 ms late. Per mode, medians over `--runs` invocations (after two warm-ups) of
//   response: invoke sent → the runtime's response fully at the emulator (what a caller waits for);
//   busy:     invoke sent → the sandbox frozen (the environment is held, and billed, until then);
//   delivery: invoke sent → this invocation's metrics at the intake.
// Modes: no metrics (the floor), before-return (withMetrics, no extension), after-response
// (registerExtension during init), background (Lambda Managed Instances, ric 4: never frozen).
//   node bench/lambda-latency.mjs [--runs N]      (default 30; prints a table, then one JSON line)
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { median, percentile } from './common.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const runsFlag = process.argv.indexOf('--runs');
const RUNS = runsFlag > 0 ? Number(process.argv[runsFlag + 1]) : 30;
const INTAKE_DELAY_MS = 80;

/** The emulator is TypeScript: bundled once; the scripts it uses stay where they are (they find the repo from their own path). */
async function loadHarness() {
  const outfile = join(root, '.bench-out', 'lambda-latency', 'harness.mjs');
  mkdirSync(dirname(outfile), { recursive: true });
  await build({
    stdin: {
      contents: [
        "export { openSession, seriesIn } from './test/lambda-runtime/session.ts';",
        "export { prepareBundles, runtimeMatrix } from './test/lambda-runtime/runtimes.ts';",
      ].join('\n'),
      resolveDir: root,
      loader: 'ts',
    },
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'warning',
    plugins: [
      {
        name: 'scripts-in-place',
        setup(b) {
          b.onResolve({ filter: /\.mjs$/ }, (a) => ({
            path: pathToFileURL(join(a.resolveDir, a.path)).href,
            external: true,
          }));
        },
      },
    ],
  });
  return import(pathToFileURL(outfile).href);
}

const MODES = [
  { id: 'none', label: 'no metrics (floor)', handler: 'handler.unclaimed', env: {} },
  { id: 'before-return', label: 'before-return (default)', handler: 'handler.plain', env: {} },
  {
    id: 'after-response',
    label: 'after-response (registerExtension)',
    handler: 'handler.plain',
    env: { FIXTURE_REGISTER: 'init' },
  },
  {
    id: 'background',
    label: 'background (Managed Instances)',
    handler: 'handler.plain',
    env: {},
    concurrency: { maxConcurrency: 4, workers: 1 },
    ric: 4,
  },
];

/** Milliseconds from `started` until the intake holds invocation `n`'s series (checked every ms). */
async function arrival(harness, s, n, started) {
  const has = () =>
    s.intake.records.some((r) => harness.seriesIn([r], 'ext.plain.calls', `n:${n}`).length > 0);
  for (const end = started + 20_000; Date.now() < end; await new Promise((r) => setTimeout(r, 1)))
    if (has()) return Date.now() - started;
  throw new Error(`invocation ${n}: its metrics never reached the intake`);
}

async function measure(harness, runtime, mode, dir) {
  const options = mode.concurrency ? { concurrency: mode.concurrency } : {};
  const s = await harness.openSession(runtime, dir, mode.handler, mode.env, options);
  s.intake.delayMs = INTAKE_DELAY_MS;
  const samples = { response: [], busy: [], delivery: [] };
  try {
    for (let n = 1; n <= RUNS + 2; n++) {
      await s.untilReady();
      const started = Date.now();
      // Polled every millisecond from the invoke on: when the intake had received this invocation's metrics.
      const arrived = mode.id === 'none' ? Promise.resolve(undefined) : arrival(harness, s, n, started);
      const outcome = await s.sandbox.api.invoke({ n });
      if (outcome.kind !== 'response') throw new Error(`${mode.id}: ${JSON.stringify(outcome.body)}`);
      const freeze = mode.concurrency
        ? undefined
        : await s.timeline.waitFor('freeze', { after: outcome.seq });
      const delivered = await arrived;
      if (n <= 2) continue; // warm-up: the cold start and the first connection
      samples.response.push(outcome.at - started);
      if (freeze !== undefined) samples.busy.push(freeze.at - started);
      if (delivered !== undefined) samples.delivery.push(delivered);
    }
  } finally {
    await s.stop();
  }
  const stat = (xs) => (xs.length === 0 ? undefined : { median: median(xs), p90: percentile(xs, 0.9) });
  return { response: stat(samples.response), busy: stat(samples.busy), delivery: stat(samples.delivery) };
}

const harness = await loadHarness();
const bundles = await harness.prepareBundles(['after-response']);
const results = [];
try {
  for (const runtime of harness.runtimeMatrix().filter((r) => r.name !== 'nodejs20.x'))
    for (const mode of MODES) {
      if (mode.ric !== undefined && mode.ric !== runtime.ric) continue;
      const r = await measure(harness, runtime, mode, bundles.dirs['after-response']);
      results.push({ runtime: runtime.label, mode: mode.id, label: mode.label, ...r });
      process.stderr.write(
        `[lambda-latency] ${runtime.name} ${mode.id}: response ${r.response?.median} ms\n`,
      );
    }
} finally {
  bundles.remove();
}

const ms = (x) => (x === undefined ? '—' : `${x.median.toFixed(1)} ms (p90 ${x.p90.toFixed(1)})`);
console.log(
  `\nLambda latency, intake answering ${INTAKE_DELAY_MS} ms late, ${RUNS} invocations per row (medians):\n`,
);
console.log('| runtime | mode | response | busy until frozen | metrics at the intake |');
console.log('| --- | --- | --- | --- | --- |');
for (const r of results)
  console.log(`| ${r.runtime} | ${r.label} | ${ms(r.response)} | ${ms(r.busy)} | ${ms(r.delivery)} |`);
console.log(JSON.stringify({ intakeDelayMs: INTAKE_DELAY_MS, runs: RUNS, results }));
