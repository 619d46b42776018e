// Heavy test-only npm dependencies, installed on demand instead of by every `npm ci`: each set is a
// small npm project under scripts/deps/<name>/ (package.json with pinned versions and allowScripts,
// plus its package-lock.json), installed with `npm ci --prefix .cache/deps/<name>` (gitignored) and
// reused while its package.json and lock file are unchanged (the hash of both is the stamp).
//
// The install runs with --strict-allow-scripts: every install script of the set is either approved
// (aws-lambda-ric's native build) or denied in its allowScripts, and a new one fails the install.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const specRoot = join(root, 'scripts', 'deps');
const cacheRoot = join(root, '.cache', 'deps');
const STAMP = '.provisioned';

/**
 * Set name → a file its install must leave behind (the native build's output for the rics, the runtime's
 * binary for deno and bun), and the package whose version it provides when that is not the set's name.
 */
export const DEP_SETS = {
  'aws-lambda-ric-3': { check: 'node_modules/aws-lambda-ric/dist/rapid-client.node', pkg: 'aws-lambda-ric' },
  'aws-lambda-ric-4': { check: 'node_modules/aws-lambda-ric/rapid-client.node', pkg: 'aws-lambda-ric' },
  serverless: { check: 'node_modules/serverless/bin/serverless.js' },
  deno: { check: 'node_modules/@deno/linux-x64-glibc/deno', pkg: '@deno/linux-x64-glibc' },
  bun: { check: 'node_modules/@oven/bun-linux-x64/bin/bun', pkg: '@oven/bun-linux-x64' },
};

const SPEC_FILES = ['package.json', 'package-lock.json'];

function specHash(name) {
  const hash = createHash('sha256');
  for (const file of SPEC_FILES) hash.update(readFileSync(join(specRoot, name, file)));
  return hash.digest('hex');
}

/** Where set `name` is installed (its node_modules is inside). */
export function depsDir(name) {
  return join(cacheRoot, name);
}

/** True when set `name` is installed from its current package.json and lock file. */
export function depsReady(name) {
  const dir = depsDir(name);
  try {
    return readFileSync(join(dir, STAMP), 'utf8') === specHash(name) && existsSync(join(dir, checkOf(name)));
  } catch {
    return false;
  }
}

function checkOf(name) {
  const set = DEP_SETS[name];
  if (set === undefined) throw new Error(`test-deps: unknown set "${name}"`);
  return set.check;
}

/** The directory of set `name`, or an error saying how to install it. */
export function requireDeps(name) {
  if (depsReady(name)) return depsDir(name);
  throw new Error(
    `${relative(root, depsDir(name))} is missing or stale: run \`node scripts/provision.mjs\` ` +
      `(npm test and the vitest projects that need it run it themselves)`,
  );
}

/** The version of `pkg` installed in set `name`. */
export function depsVersion(name, pkg) {
  const manifest = join(requireDeps(name), 'node_modules', pkg, 'package.json');
  return JSON.parse(readFileSync(manifest, 'utf8')).version;
}

function run(command, args, logFile) {
  return new Promise((resolvePromise, reject) => {
    const log = createWriteStream(logFile);
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    child.once('error', reject);
    child.once('close', (code) => log.end(() => resolvePromise(code)));
  });
}

function tail(file, lines = 25) {
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** Installs set `name` unless it is ready. Resolves to true when it installed, false when it was ready. */
export async function provideDeps(name) {
  const check = checkOf(name);
  if (depsReady(name)) return false;
  mkdirSync(cacheRoot, { recursive: true });
  // Install beside the target, then move it into place in one step: never a half-installed set. The
  // real path: npm ci into a prefix reached through a symlink (a worktree sharing .cache) takes the
  // prefix for a linked package and fails ("Missing: .<set>-… from lock file").
  const work = mkdtempSync(join(realpathSync(cacheRoot), `.${name}-`));
  const logFile = join(cacheRoot, `${name}.log`);
  try {
    for (const file of SPEC_FILES) copyFileSync(join(specRoot, name, file), join(work, file));
    const args = ['ci', '--prefix', work, '--no-audit', '--no-fund', '--strict-allow-scripts'];
    const code = await run('npm', [...args, '--foreground-scripts'], logFile);
    if (code !== 0 || !existsSync(join(work, check)))
      throw new Error(
        `provision: npm ci of scripts/deps/${name} ${code !== 0 ? `failed (exit ${code})` : `did not produce ${check}`}; ` +
          `the end of ${relative(root, logFile)}:\n${tail(logFile)}`,
      );
    writeFileSync(join(work, STAMP), specHash(name));
    if (depsReady(name)) return false; // another process finished first: keep theirs
    const old = `${work}.old`;
    if (existsSync(depsDir(name))) renameSync(depsDir(name), old);
    renameSync(work, depsDir(name));
    rmSync(old, { recursive: true, force: true });
    return true;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
