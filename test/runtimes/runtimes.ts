// The real Deno and Bun (scripts/deps/deno, scripts/deps/bun, installed into .cache/deps by this project's
// globalSetup) running the fixture scripts in the app directory of ./global-setup.ts, where `handlerstats`
// is the packed package in node_modules. Each script takes one JSON argument and prints JSON lines.
// The children get a minimal environment: nothing of the caller's (no DD_*, no AWS_LAMBDA_*), no
// update check, no telemetry, caches inside the app directory.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { DEP_SETS, requireDeps } from '../../scripts/test-deps.mjs';

export type RuntimeName = 'deno' | 'bun';

/**
 * Export conditions a runtime might match. The app directory holds a package `condition-<name>` for
 * each, whose exports map `<name>` to a module that says yes and `default` to one that says no.
 */
export const CANDIDATE_CONDITIONS = [
  'bun',
  'deno',
  'node',
  'import',
  'require',
  'module',
  'worker',
  'workerd',
  'browser',
  'edge-light',
  'production',
  'development',
] as const;

export interface Runtime {
  name: RuntimeName;
  /** e.g. `deno 2.9.6`. */
  label: string;
  bin: string;
  /** Command-line arguments that run `script` (Deno: with `permissions`, default net to loopback + env). */
  args(script: string, permissions?: string[]): string[];
}

const binary = (set: RuntimeName): string => join(requireDeps(set), DEP_SETS[set]!.check);

export function runtime(name: RuntimeName): Runtime {
  const bin = binary(name);
  const version = execFileSync(bin, ['--version'], { encoding: 'utf8' }).split('\n')[0]!.trim();
  return {
    name,
    label: name === 'bun' ? `bun ${version}` : version.split(' (')[0]!,
    bin,
    args:
      name === 'deno'
        ? (script, permissions = ['--allow-net=127.0.0.1', '--allow-env']) => ['run', ...permissions, script]
        : (script) => ['--no-install', script],
  };
}

function childEnv(app: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: app,
    NO_COLOR: '1',
    DENO_DIR: join(app, '.deno'),
    DENO_NO_UPDATE_CHECK: '1',
    DENO_NO_PROMPT: '1',
    DO_NOT_TRACK: '1',
    BUN_INSTALL_CACHE_DIR: join(app, '.bun'),
  };
}

export interface Child {
  process: ChildProcess;
  /** Parsed JSON lines printed so far. */
  readonly lines: Record<string, unknown>[];
  stderr(): string;
  /** The first line (printed so far or later) that `match` accepts. */
  line(match: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  readonly exited: Promise<number | string>;
  /** Still running (no exit seen yet). */
  running(): boolean;
  kill(): void;
}

/** Starts `script` (a file of the app directory) with `config` as its JSON argument. */
export function start(
  rt: Runtime,
  app: string,
  script: string,
  config: Record<string, unknown> = {},
  permissions?: string[],
): Child {
  const child = spawn(rt.bin, [...rt.args(script, permissions), JSON.stringify(config)], {
    cwd: app,
    env: childEnv(app),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  const waiting: {
    match: (l: Record<string, unknown>) => boolean;
    resolve: (l: Record<string, unknown>) => void;
  }[] = [];
  let out = '';
  let err = '';
  let done = false;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    out += chunk;
    for (let nl = out.indexOf('\n'); nl >= 0; nl = out.indexOf('\n')) {
      const text = out.slice(0, nl).trim();
      out = out.slice(nl + 1);
      if (!text.startsWith('{')) continue;
      const line = JSON.parse(text) as Record<string, unknown>;
      lines.push(line);
      for (const w of [...waiting])
        if (w.match(line)) {
          waiting.splice(waiting.indexOf(w), 1);
          w.resolve(line);
        }
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    err += chunk;
  });
  const exited = new Promise<number | string>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      done = true;
      resolve(code ?? signal ?? 'unknown');
    });
  });
  const describe = (): string =>
    `${rt.label} ${script}: stdout ${JSON.stringify(lines)}, stderr ${err.trim()}`;
  return {
    process: child,
    lines,
    stderr: () => err,
    line: (match) => {
      const seen = lines.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiting.push({ match, resolve });
        exited.then(() => reject(new Error(`exited before printing the line awaited; ${describe()}`)));
      });
    },
    exited,
    running: () => !done,
    kill: () => {
      if (!done) child.kill('SIGKILL');
    },
  };
}

/** Runs `script` to its end; rejects (with its output) unless it exits 0 without writing to stderr. */
export async function run(
  rt: Runtime,
  app: string,
  script: string,
  config: Record<string, unknown> = {},
  permissions?: string[],
): Promise<Record<string, unknown>[]> {
  const child = start(rt, app, script, config, permissions);
  const code = await child.exited;
  if (code !== 0 || child.stderr().trim() !== '')
    throw new Error(
      `${rt.label} ${script} exited ${code}: ${child.stderr().trim() || JSON.stringify(child.lines)}`,
    );
  return child.lines;
}
