// Global setup of the `runtimes` project (runs in Node, after test/setup/provision.ts provided Deno and
// Bun): packs the package as it would be published (`npm pack`, dist/ built first if missing) and
// unpacks it into node_modules/handlerstats of a fresh app directory, next to a package.json that
// depends on it and the fixture scripts, plus one tiny package per candidate export condition. Deno (package.json → its own node_modules resolution) and Bun
// then import `handlerstats` by name as a user's app does, through the exports map.
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { ensureDist } from '../../scripts/bundle-examples.mjs';
import { CANDIDATE_CONDITIONS } from './runtimes.js';

declare module 'vitest' {
  export interface ProvidedContext {
    runtimesApp: string;
  }
}

const root = resolve(fileURLToPath(import.meta.url), '../../..');

export default function setup(project: TestProject): () => void {
  ensureDist();
  for (const file of ['dist/worker.js', 'dist/fetch-handler.js'])
    if (!existsSync(join(root, file))) throw new Error(`${file} is missing: run \`npm run build\``);
  const app = mkdtempSync(join(tmpdir(), 'handlerstats-runtimes-'));
  execFileSync('npm', ['pack', '--silent', '--pack-destination', app], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const tarball = join(app, readdirSync(app).find((f) => f.endsWith('.tgz'))!);
  const pkg = join(app, 'node_modules', 'handlerstats');
  mkdirSync(pkg, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', pkg, '--strip-components=1']);
  rmSync(tarball);
  const { version } = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { version: string };
  const manifest = {
    name: 'runtimes-app',
    private: true,
    type: 'module',
    dependencies: { handlerstats: version },
  };
  writeFileSync(join(app, 'package.json'), JSON.stringify(manifest, null, 2));
  cpSync(join(root, 'test/runtimes/fixtures'), app, { recursive: true });
  for (const condition of CANDIDATE_CONDITIONS) {
    const dir = join(app, 'node_modules', `condition-${condition}`);
    mkdirSync(dir);
    const exports = { '.': { [condition]: './yes.js', default: './no.js' } };
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: `condition-${condition}`, type: 'module', exports }),
    );
    writeFileSync(join(dir, 'yes.js'), 'export const matched = true;\n');
    writeFileSync(join(dir, 'no.js'), 'export const matched = false;\n');
  }
  project.provide('runtimesApp', app);
  return () => rmSync(app, { recursive: true, force: true });
}
