// The system commands the test suites need, the Debian package of each, and the plan to get the
// missing ones: `apt-get install` when this is Debian and we are root, otherwise a failure that names
// what is missing and the command that installs it. `planSystem` is pure (the unit test drives it);
// `provideSystem` looks at this machine and carries the plan out.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const RIC_BUILD = 'building aws-lambda-ric (native, lambda-runtime suite)';

/** Command → the Debian package that provides it, and what needs it. */
export const COMMANDS = {
  'victoria-metrics': { pkg: 'victoria-metrics', why: 'the end-to-end backend (test/e2e, test/faults)' },
  // The test launches this exact path (Debian's), so only it counts.
  chromium: {
    pkg: 'chromium',
    why: 'the intake page test (test/intake/browser.test.ts)',
    path: '/usr/bin/chromium',
  },
  openssl: { pkg: 'openssl', why: 'a self-signed certificate (test/transports/http.test.ts)' },
  cmake: { pkg: 'cmake', why: RIC_BUILD },
  autoconf: { pkg: 'autoconf', why: RIC_BUILD },
  automake: { pkg: 'automake', why: RIC_BUILD },
  libtoolize: { pkg: 'libtool', why: RIC_BUILD },
  make: { pkg: 'make', why: RIC_BUILD },
  'g++': { pkg: 'g++', why: RIC_BUILD },
  python3: { pkg: 'python3', why: `${RIC_BUILD}: node-gyp` },
  xz: { pkg: 'xz-utils', why: `${RIC_BUILD}: its sources are .tar.xz` },
  unshare: { pkg: 'util-linux', why: '`serverless package` in an empty network namespace' },
};

// Debian puts some of these in sbin directories a non-login PATH may lack.
const EXTRA_DIRS = ['/usr/local/bin', '/usr/bin', '/bin', '/usr/sbin', '/sbin'];

/** The executable `name` resolves to (PATH first, then the standard directories), or undefined. */
export function findCommand(name, env = process.env) {
  // The e2e helper honours VICTORIA_METRICS_BIN alone when it is set: so does this check.
  if (name === 'victoria-metrics' && env.VICTORIA_METRICS_BIN) return executable(env.VICTORIA_METRICS_BIN);
  const fixed = COMMANDS[name]?.path;
  if (fixed !== undefined) return executable(fixed);
  for (const dir of [...(env.PATH ?? '').split(delimiter), ...EXTRA_DIRS]) {
    if (dir === '') continue;
    const found = executable(join(dir, name));
    if (found !== undefined) return found;
  }
  return undefined;
}

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return path;
  } catch {
    return undefined;
  }
}

/**
 * What to do about `missing` commands on a machine described by `host` ({ root, debian }).
 * `table` maps a command to its package (default `COMMANDS`).
 * @returns {{ action: 'none' } | { action: 'apt', packages: string[] } | { action: 'fail', message: string }}
 */
export function planSystem(missing, host, env = {}, table = COMMANDS) {
  if (missing.length === 0) return { action: 'none' };
  const unknown = missing.filter((c) => !(c in table));
  if (unknown.length > 0) throw new Error(`system-packages: no package known for ${unknown.join(', ')}`);
  const packages = [...new Set(missing.map((c) => table[c].pkg))];
  if (missing.includes('victoria-metrics') && env.VICTORIA_METRICS_BIN)
    return {
      action: 'fail',
      message: `VICTORIA_METRICS_BIN=${env.VICTORIA_METRICS_BIN} is not an executable (unset it to use the Debian package)`,
    };
  if (host.debian && host.root) return { action: 'apt', packages };
  const lines = missing.map((c) => `  ${c.padEnd(17)} Debian package ${table[c].pkg}: ${table[c].why}`);
  const how = host.debian
    ? `Install them with:\n  sudo apt-get install -y ${packages.join(' ')}\n(npm test does this itself when run as root.)`
    : 'This is not Debian: install the equivalent packages with your package manager, so that the commands above are on PATH.';
  return {
    action: 'fail',
    message: `npm test needs commands this machine lacks:\n${lines.join('\n')}\n${how}`,
  };
}

/** This machine as `planSystem` sees it. */
export function thisHost() {
  return {
    root: process.getuid?.() === 0,
    debian: existsSync('/etc/debian_version') && findCommand('apt-get') !== undefined,
  };
}

/**
 * Installs the Debian packages behind the missing `commands`, or throws the failure message.
 * `log` gets one line per action. Returns the packages installed (none when all were present).
 */
export function provideSystem(
  commands,
  { log = console.log, dryRun = false, env = process.env, host = thisHost(), table = COMMANDS } = {},
) {
  const missing = commands.filter((c) => findCommand(c, env) === undefined);
  const plan = planSystem(missing, host, env, table);
  if (plan.action === 'none') return [];
  if (plan.action === 'fail') throw new Error(plan.message);
  log(`provision: apt-get install ${plan.packages.join(' ')} (missing: ${missing.join(', ')})`);
  if (dryRun) return plan.packages;
  const aptEnv = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (args) =>
    execFileSync('apt-get', args, { env: aptEnv, stdio: ['ignore', 'ignore', 'inherit'] });
  apt(['update', '-qq']);
  apt(['install', '-y', '-qq', ...plan.packages]);
  const still = commands.filter((c) => findCommand(c, env) === undefined);
  if (still.length > 0)
    throw new Error(
      `provision: apt-get installed ${plan.packages.join(' ')}, yet ${still.join(', ')} is missing`,
    );
  return plan.packages;
}
