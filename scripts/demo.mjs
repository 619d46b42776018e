// `npm start`: runs examples/lambda/handler.ts against the local intake, so metrics flow without a
// Datadog account. Builds dist/ if it is missing, starts the intake (port 8128, or a free one if busy),
// bundles the handler with esbuild (`handlerstats` imports resolve to this package's own dist/ through
// the `exports` self-reference), invokes it a few times like Lambda would, and prints what arrived.
//
//   node scripts/demo.mjs [--once] [--port N]      (env: HANDLERSTATS_INTAKE_PORT, CI=true = --once)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log('Usage: npm start [-- --once] [-- --port N]   (HANDLERSTATS_INTAKE_PORT=0 picks a free port)');
  process.exit(0);
}
const once = args.includes('--once') || /^(1|true|yes)$/i.test(process.env.CI ?? '');
const portFlag = args.includes('--port') ? args[args.indexOf('--port') + 1] : undefined;
const port = Number(portFlag ?? process.env.HANDLERSTATS_INTAKE_PORT ?? 8128);
if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new RangeError(`invalid port "${portFlag}"`);

if (!['index.js', 'lambda.js', 'intake.js'].every((f) => existsSync(join(root, 'dist', f)))) {
  console.log('dist/ is missing: building it first (npm run build)…');
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
}
const { startIntake, renderTable } = await import('handlerstats/intake');
const { build } = await import('esbuild');

let live = false;
const intakeOptions = { host: '127.0.0.1', log: (line) => live && console.log(line) };
const intake = await startIntake({ ...intakeOptions, port }).catch((error) => {
  if (error.code !== 'EADDRINUSE') throw error;
  console.log(`port ${port} is busy: using a free port instead`);
  return startIntake({ ...intakeOptions, port: 0 });
});

const dir = mkdtempSync(join(tmpdir(), 'handlerstats-demo-'));
const stop = async (code = 0) => {
  await intake.close();
  rmSync(dir, { recursive: true, force: true });
  process.exit(code);
};

try {
  const outfile = join(dir, 'handler.mjs');
  await build({
    entryPoints: [join(root, 'examples/lambda/handler.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    plugins: [
      {
        name: 'handlerstats-self',
        setup(b) {
          // The bundle lives in a temp dir: point its `handlerstats` imports at the built package.
          b.onResolve({ filter: /^handlerstats(\/.*)?$/ }, (a) => ({
            path: import.meta.resolve(a.path),
            external: true,
          }));
        },
      },
    ],
  });

  // The client reads its configuration when the handler module is loaded: set it first.
  process.env.DD_DD_URL = intake.url;
  process.env.DD_API_KEY = 'demo-key';
  const { handler, metrics } = await import(pathToFileURL(outfile).href);

  const inBucket = (Date.now() / 1000) % 10;
  if (inBucket > 7) await new Promise((r) => setTimeout(r, (10 - inBucket) * 1000 + 50));
  const context = { getRemainingTimeInMillis: () => 3000 };
  const now = Math.floor(Date.now() / 1000);
  const invocations = [
    ['order o-1001 (pro)', { orderId: 'o-1001', plan: 'pro', items: 3 }],
    ['order o-1002 (free)', { orderId: 'o-1002', plan: 'free', items: 1 }],
    ['order o-1003 (pro)', { orderId: 'o-1003', plan: 'pro', items: 5 }],
    ['order o-1001 again', { orderId: 'o-1001', plan: 'pro', items: 2 }],
    ['late order, placed 30 s ago', { orderId: 'o-1004', plan: 'free', items: 2, placedAt: now - 30 }],
    [
      'order placed 2 h ago (out of window)',
      { orderId: 'o-1005', plan: 'pro', items: 1, placedAt: now - 7200 },
    ],
  ];
  console.log(
    `\nhandlerstats demo: ${invocations.length} invocations of examples/lambda/handler.ts → ${intake.url}\n`,
  );
  for (const [i, [label, event]] of invocations.entries()) {
    const result = await handler(event, context);
    console.log(`  invocation ${i + 1}: ${label.padEnd(38)} → ${result.statusCode} ${result.body}`);
  }

  const stats = metrics.stats();
  const dropped = Object.entries(stats.dropped).filter(([, n]) => n > 0);
  console.log(
    `\nWhat the intake holds (last write wins per series and timestamp; every distribution value):\n`,
  );
  console.log(renderTable(intake.received(), { width: process.stdout.columns ?? 120 }));
  console.log(
    `\nclient stats: recorded ${stats.recorded}, merged ${stats.merged}, requests ${stats.requests}, ` +
      `dropped ${dropped.length > 0 ? dropped.map(([k, n]) => `${k} ${n}`).join(', ') : 'none'}`,
  );
  console.log(`\nCharts: ${intake.url}/     Raw JSON: ${intake.url}/api/received`);
  await metrics.close();
  if (once) await stop(0);
  console.log(`Still serving; point your own handlers at DD_DD_URL=${intake.url}. Ctrl-C to stop.`);
  live = true;
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));
} catch (error) {
  console.error(error);
  await stop(1);
}
