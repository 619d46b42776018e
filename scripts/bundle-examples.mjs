// Bundles the example Lambda handlers the way serverless.yml deploys them: one ESM file per function
// (esbuild, platform node, target node20, `handlerstats` resolved from this package's dist/), written
// to .serverless-bundles/<function>/handler.mjs and zipped to .serverless-bundles/<function>.zip with
// handler.mjs at the root (the runtime's _HANDLER is `handler.handler`). Next to each handler goes
// handlerstats-extension.mjs, `handlerstats/lambda/extension` bundled on its own: a bundled handler has
// no node_modules for `NODE_OPTIONS=--import=handlerstats/lambda/extension` to find, so a function sets
// `NODE_OPTIONS=--import=./handlerstats-extension.mjs` instead (Lambda's working directory is the task
// root); unused, the file does nothing. The runtime suites reuse `bundleHandler` for their fixtures.
// Zips are written by the small deterministic writer below (no `zip` binary needed): same input, same bytes.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { crc32, deflateRawSync } from 'node:zlib';
import { build } from 'esbuild';

const root = resolve(fileURLToPath(import.meta.url), '../..');

/** Function name (as in serverless.yml) → handler source. */
export const FUNCTIONS = {
  orders: 'examples/lambda/handler.ts',
  'orders-middy': 'examples/middy/handler.ts',
};

export const BUNDLE_DIR = join(root, '.serverless-bundles');

/** The `--import` file written next to every bundled handler. */
export const EXTENSION_FILE = 'handlerstats-extension.mjs';

/** Builds dist/ when an entry the bundles import from it is missing. */
export function ensureDist() {
  const needed = ['dist/index.js', 'dist/lambda.js', 'dist/middy.js', 'dist/lambda-extension.js'];
  if (needed.every((f) => existsSync(join(root, f)))) return;
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
}

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  // The AWS SDK ships with the runtime; nothing here uses it, but never bundle it.
  external: ['@aws-sdk/*'],
  logLevel: 'warning',
  // dist/ is built with code splitting; its bare chunk imports are side-effect free.
  logOverride: { 'ignored-bare-import': 'silent' },
};

/**
 * Bundles one handler source into `<outdir>/handler.mjs` (`format: 'cjs'`: handler.cjs, a CommonJS
 * handler), and the `--import` file next to it; returns the handler's path.
 */
export async function bundleHandler(entry, outdir, { format = 'esm' } = {}) {
  const outfile = join(outdir, format === 'cjs' ? 'handler.cjs' : 'handler.mjs');
  await build({
    ...common,
    entryPoints: [resolve(root, entry)],
    outfile,
    format,
    // Lets a CommonJS dependency `require()` node builtins from inside the ESM bundle.
    ...(format === 'esm'
      ? {
          banner: {
            js: "import{createRequire as __hsCreateRequire}from'node:module';const require=__hsCreateRequire(import.meta.url);",
          },
        }
      : {}),
  });
  await bundleExtension(outdir);
  return outfile;
}

/** Writes `<outdir>/handlerstats-extension.mjs`: `handlerstats/lambda/extension`, self-contained. */
export async function bundleExtension(outdir) {
  const outfile = join(outdir, EXTENSION_FILE);
  await build({
    ...common,
    stdin: { contents: "export * from 'handlerstats/lambda/extension';", resolveDir: root, loader: 'js' },
    outfile,
    format: 'esm',
  });
  return outfile;
}

/** A stored-or-deflated zip of `files` ({ name, data }), with fixed timestamps (reproducible). */
export function zipFiles(files) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const { name, data } of files) {
    const nameBytes = Buffer.from(name, 'utf8');
    const deflated = deflateRawSync(data, { level: 9 });
    const method = deflated.length < data.length ? 8 : 0;
    const body = method === 8 ? deflated : data;
    const crc = crc32(data);
    // Version 2.0, no flags, DOS time 00:00 on 1980-01-01 (date field 0x21).
    const common = [20, 0, method, 0, 0x21, crc, body.length, data.length, nameBytes.length, 0];
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    writeFields(local, 4, common);
    locals.push(local, nameBytes, body);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, so the mode below is honoured
    writeFields(central, 6, common);
    central.writeUInt16LE(0, 32); // comment length
    central.writeUInt16LE(0, 34); // disk number
    central.writeUInt16LE(0, 36); // internal attributes
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38); // -rw-r--r--
    central.writeUInt32LE(offset, 42);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

// version, flags, method, time, date, crc, compressed size, size, name length, extra length
function writeFields(buf, at, [version, flags, method, time, date, crc, csize, size, nameLen, extraLen]) {
  buf.writeUInt16LE(version, at);
  buf.writeUInt16LE(flags, at + 2);
  buf.writeUInt16LE(method, at + 4);
  buf.writeUInt16LE(time, at + 6);
  buf.writeUInt16LE(date, at + 8);
  buf.writeUInt32LE(crc >>> 0, at + 10);
  buf.writeUInt32LE(csize, at + 14);
  buf.writeUInt32LE(size, at + 18);
  buf.writeUInt16LE(nameLen, at + 22);
  buf.writeUInt16LE(extraLen, at + 24);
}

/** Bundles and zips every function in FUNCTIONS; returns `{ name: zipPath }`. */
export async function bundleExamples(outDir = BUNDLE_DIR) {
  ensureDist();
  mkdirSync(outDir, { recursive: true });
  const zips = {};
  for (const [name, entry] of Object.entries(FUNCTIONS)) {
    const dir = join(outDir, name);
    rmSync(dir, { recursive: true, force: true });
    const file = await bundleHandler(entry, dir);
    const zip = join(outDir, `${name}.zip`);
    const files = [file, join(dir, EXTENSION_FILE)];
    writeFileSync(zip, zipFiles(files.map((f) => ({ name: basename(f), data: readFileSync(f) }))));
    zips[name] = zip;
  }
  return zips;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const zips = await bundleExamples();
  for (const [name, zip] of Object.entries(zips))
    console.log(`${name}: ${zip} (${readFileSync(zip).length} bytes)`);
}
