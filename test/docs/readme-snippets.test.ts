// Every ```ts block of README.md type-checks under --strict as a user would paste it: one file per block,
// in a scratch project that has the packed package and the type packages a user installs (@types/node,
// @types/aws-lambda, @middy/core; @cloudflare/workers-types for Workers blocks). One program per platform,
// both in this process. Markers (CONTRIBUTING.md, "README snippets"): `// @platform node|workers`,
// `// @check off: why`. Errors, and uses of deprecated names, are reported at their README.md line.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Diagnostic,
  type PackedProject,
  PROJECTS,
  packedProject,
  root,
  tsconfig,
} from '../types/support/packed-project.js';
import { type Platform, type Snippet, snippets } from './snippets.js';

const README = 'README.md';
const blocks = snippets(readFileSync(join(root, README), 'utf8'));
const checked = blocks.filter((b) => b.skip === undefined);
const fileOf = (b: Snippet) => `${b.platform}/readme-${String(b.line).padStart(4, '0')}.ts`;

// Each block is its own module (`moduleDetection: force`): names never clash across blocks.
const OPTIONS: Record<Platform, Record<string, unknown>> = {
  node: { ...PROJECTS.nodeNext, moduleDetection: 'force' },
  workers: { ...PROJECTS.wrangler, moduleDetection: 'force' },
};

let project: PackedProject;
const found = new Map<Platform, Diagnostic[]>();

beforeAll(() => {
  project = packedProject('handlerstats-readme-');
  for (const platform of ['node', 'workers'] as const)
    project.write({ [`${platform}/tsconfig.json`]: tsconfig(OPTIONS[platform], { include: ['*.ts'] }) });
  project.write(Object.fromEntries(checked.map((b) => [fileOf(b), `${b.code}\n`])));
  for (const platform of new Set(checked.map((b) => b.platform)))
    found.set(platform, project.check(`${platform}/tsconfig.json`));
}, 60_000);
afterAll(() => project?.remove());

/** A block's errors and uses of deprecated names, at their README.md lines. */
function errorsOf(block: Snippet): string[] {
  const diagnostics = found.get(block.platform) ?? [];
  const own = diagnostics.filter((d) => d.file === fileOf(block));
  return own.map((d) => `${README}:${block.line + d.line - 1}: TS${d.code}: ${d.text}`);
}

describe(`${README} snippets (tsc --strict against the packed package)`, () => {
  it('finds the blocks, and every block marked @check off says why', () => {
    expect(checked.length).toBeGreaterThan(0);
    expect(blocks.filter((b) => b.skip === '').map((b) => `${README}:${b.line}`)).toEqual([]);
  });

  it('nothing outside the blocks fails (the projects themselves)', () => {
    const stray = [...found.values()]
      .flat()
      .filter((d) => !d.file.includes('/readme-') && d.category === 'error');
    expect(stray).toEqual([]);
  });

  it.each(checked.map((b) => [`${README}:${b.line} (${b.heading}, ${b.platform})`, b] as const))(
    '%s',
    (_, block) => {
      expect(errorsOf(block)).toEqual([]);
    },
  );
});
