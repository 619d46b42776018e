// A scratch TypeScript project that uses handlerstats the way a user's does: the package as `npm pack`
// makes it, unpacked into node_modules/handlerstats, next to the type packages a user installs
// (@types/node, @cloudflare/workers-types, @types/aws-lambda, @middy/core; linked from this repository's
// node_modules). Projects are type-checked in-process with this repository's TypeScript, one program per
// tsconfig, sharing the parsed declaration files (a lib or workers-types is read once per test file).
// The directory stays usable by hand: `npx tsc -p <dir>/<tsconfig>` runs the same check.
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { ensureDist } from '../../../scripts/bundle-examples.mjs';

export const root = resolve(fileURLToPath(import.meta.url), '../../../..');

/** Type packages a user may have installed; each is linked when this repository has it. */
const TYPE_PACKAGES = [
  '@types/node',
  '@cloudflare/workers-types',
  '@types/aws-lambda',
  '@middy/core',
  'undici',
];

export interface PackedProject {
  dir: string;
  /** Writes `files` (path relative to the project → contents). */
  write(files: Record<string, string>): void;
  /** Type-checks the project of `tsconfig` (relative path): diagnostics as `file(line,col): TSnnnn: text`. */
  check(tsconfig: string): Diagnostic[];
  remove(): void;
}

export interface Diagnostic {
  file: string;
  line: number;
  code: number;
  text: string;
  /** `error`, or `suggestion` (e.g. 6385, deprecated) when asked for with `suggestions`. */
  category: 'error' | 'suggestion';
}

/**
 * Compiler options of the projects users have, as far as resolution and types go: `wrangler` is what
 * create-cloudflare / `wrangler init` writes (bundler resolution, workers-types, no DOM, no @types/node).
 */
export const PROJECTS = {
  wrangler: {
    target: 'es2022',
    lib: ['es2022'],
    module: 'es2022',
    moduleResolution: 'bundler',
    types: ['@cloudflare/workers-types'],
  },
  nodeNext: { target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext', types: ['node'] },
  nodeBundler: {
    target: 'es2022',
    lib: ['es2023'],
    module: 'preserve',
    moduleResolution: 'bundler',
    types: ['node'],
  },
} as const;

/** A tsconfig.json text: `--strict`, no emit, `skipLibCheck` (as both templates have it), plus `options`. */
export const tsconfig = (options: Record<string, unknown>, extra: Record<string, unknown> = {}): string =>
  `${JSON.stringify({ compilerOptions: { strict: true, noEmit: true, skipLibCheck: true, ...options }, ...extra }, null, 2)}\n`;

export const format = (d: Diagnostic): string => `${d.file}(${d.line}): TS${d.code}: ${d.text}`;

/** Packs the repository (dist/ as it is: built only when missing) into a fresh project directory. */
export function packedProject(prefix = 'handlerstats-types-'): PackedProject {
  ensureDist();
  const dir = mkdtempSync(join(tmpdir(), prefix));
  execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const tarball = join(dir, readdirSync(dir).find((f) => f.endsWith('.tgz'))!);
  const pkg = join(dir, 'node_modules', 'handlerstats');
  mkdirSync(pkg, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', pkg, '--strip-components=1']);
  rmSync(tarball);
  for (const name of TYPE_PACKAGES) {
    const from = typePackage(name);
    if (from === undefined) continue;
    mkdirSync(dirname(join(dir, 'node_modules', name)), { recursive: true });
    symlinkSync(from, join(dir, 'node_modules', name), 'dir');
  }
  writeFileSync(join(dir, 'package.json'), '{ "name": "scratch", "private": true, "type": "module" }\n');
  const host = cachingHost();
  return {
    dir,
    write(files) {
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), text);
      }
    },
    check: (tsconfig) => check(dir, join(dir, tsconfig), host),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Where a type package is: this repository's node_modules, or — for a devDependency a node_modules
 * installed before it was added lacks — its registry tarball, fetched once into .cache/type-packages.
 */
function typePackage(name: string): string | undefined {
  const installed = join(root, 'node_modules', name);
  if (existsSync(installed)) return installed;
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    devDependencies?: Record<string, string>;
  };
  const version = manifest.devDependencies?.[name];
  if (version === undefined) return undefined;
  const cached = join(root, '.cache', 'type-packages', `${name.replace('/', '+')}@${version}`);
  if (!existsSync(join(cached, 'package.json'))) {
    const into = mkdtempSync(join(tmpdir(), 'handlerstats-type-package-'));
    try {
      const file = execFileSync(
        'npm',
        ['pack', '--silent', '--pack-destination', into, `${name}@${version}`],
        {
          encoding: 'utf8',
        },
      ).trim();
      mkdirSync(join(into, 'package'));
      execFileSync('tar', ['-xzf', join(into, file), '-C', join(into, 'package'), '--strip-components=1']);
      mkdirSync(dirname(cached), { recursive: true });
      // Test files run in parallel: the first rename wins, a later one finds the directory there.
      try {
        renameSync(join(into, 'package'), cached);
      } catch (error) {
        if (!existsSync(join(cached, 'package.json'))) throw error;
      }
    } finally {
      rmSync(into, { recursive: true, force: true });
    }
  }
  return cached;
}

/** A compiler host that parses each declaration file once (they are the same for every tsconfig here). */
function cachingHost(): (options: ts.CompilerOptions) => ts.CompilerHost {
  const parsed = new Map<string, ts.SourceFile>();
  return (options) => {
    const host = ts.createCompilerHost(options);
    const read = host.getSourceFile.bind(host);
    host.getSourceFile = (fileName, version, onError, create) => {
      if (!fileName.endsWith('.d.ts')) return read(fileName, version, onError, create);
      const format = typeof version === 'object' ? version.impliedNodeFormat : undefined;
      const key = `${fileName}\0${typeof version === 'object' ? version.languageVersion : version}\0${format}`;
      let file = parsed.get(key);
      if (file === undefined) {
        file = read(fileName, version, onError, create);
        if (file !== undefined) parsed.set(key, file);
      }
      return file;
    };
    return host;
  };
}

function check(dir: string, config: string, hostFor: ReturnType<typeof cachingHost>): Diagnostic[] {
  const problems: ts.Diagnostic[] = [];
  const parsed = ts.getParsedCommandLineOfConfigFile(config, undefined, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => problems.push(d),
  });
  if (parsed === undefined) throw new Error(`${config}: ${problems.map(text).join('; ')}`);
  const program = ts.createProgram({
    rootNames: parsed.fileNames,
    options: parsed.options,
    host: hostFor(parsed.options),
    configFileParsingDiagnostics: parsed.errors,
  });
  const errors = ts.getPreEmitDiagnostics(program).map((d) => diagnostic(dir, d, 'error'));
  // What an editor shows as a suggestion (strike-through for deprecations): tsserver's call, not in the
  // public typings of Program.
  const { getSuggestionDiagnostics } = program as unknown as {
    getSuggestionDiagnostics(file: ts.SourceFile): readonly ts.Diagnostic[];
  };
  const suggestions = parsed.fileNames.flatMap((name) => {
    const file = program.getSourceFile(name);
    return file === undefined ? [] : getSuggestionDiagnostics.call(program, file);
  });
  // Only the suggestions a user's editor shows as a warning worth asserting on: deprecations.
  const deprecated = suggestions
    .filter((d) => d.reportsDeprecated !== undefined)
    .map((d) => diagnostic(dir, d, 'suggestion'));
  return [...errors, ...deprecated];
}

const text = (d: ts.Diagnostic): string => ts.flattenDiagnosticMessageText(d.messageText, ' ');

function diagnostic(dir: string, d: ts.Diagnostic, category: Diagnostic['category']): Diagnostic {
  const at =
    d.file === undefined || d.start === undefined ? undefined : d.file.getLineAndCharacterOfPosition(d.start);
  return {
    file: d.file === undefined ? '' : relative(dir, d.file.fileName),
    line: at === undefined ? 0 : at.line + 1,
    code: d.code,
    text: text(d),
    category,
  };
}
