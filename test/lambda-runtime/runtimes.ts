// The runtime matrix and the bundles the suites run. Node 20 is the machine's node (or a cached one);
// Node 22 and 24 come from scripts/node-versions.mjs (.cache/node/<major>), aws-lambda-ric 3 and 4 from
// .cache/deps (./ric.ts); this project's globalSetup (scripts/provision.mjs) provides all of them. Lambda's nodejs20.x and
// nodejs22.x runtimes run callback handlers (aws-lambda-ric 3.x behaviour); nodejs24.x refuses
// handlers declaring 3+ parameters (aws-lambda-ric 4.x). aws-lambda-ric 4 also runs on Node 20 and
// 22 here, but it is the 24.x behaviour, so the 20/22 rows use ric 3.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleHandler, ensureDist } from '../../scripts/bundle-examples.mjs';
import { ensureNode } from '../../scripts/node-versions.mjs';
import { ricVersion } from './ric.js';
import type { RuntimeSpec } from './sandbox.js';

function nodeFor(major: string): string {
  return process.versions.node.split('.')[0] === major ? process.execPath : ensureNode(major);
}

export type LabelledRuntime = RuntimeSpec & { label: string };

/** The three runtimes, each labelled with the exact Node and ric versions it runs. */
export function runtimeMatrix(): LabelledRuntime[] {
  const rows: RuntimeSpec[] = [
    { name: 'nodejs20.x', node: nodeFor('20'), ric: 3 },
    { name: 'nodejs22.x', node: nodeFor('22'), ric: 3 },
    { name: 'nodejs24.x', node: nodeFor('24'), ric: 4 },
  ];
  return rows.map((r) => {
    const node = execFileSync(r.node, ['--version']).toString().trim();
    return { ...r, label: `${r.name}: node ${node}, aws-lambda-ric ${ricVersion(r.ric)}` };
  });
}

export const BUNDLE_SOURCES = {
  orders: 'examples/lambda/handler.ts',
  'orders-middy': 'examples/middy/handler.ts',
  fixtures: 'test/lambda-runtime/fixtures/handlers.ts',
  emulator: 'test/lambda-runtime/fixtures/emulator.ts',
  'after-response': 'test/lambda-runtime/fixtures/after-response.ts',
  /** A CommonJS handler (handler.cjs): no top-level await, so NODE_OPTIONS=--import registers the extension. */
  'after-response-cjs': 'test/lambda-runtime/fixtures/after-response-cjs.ts',
  streaming: 'test/lambda-runtime/fixtures/streaming.ts',
} as const;

const CJS: ReadonlySet<string> = new Set(['after-response-cjs']);

export interface Bundles {
  /** Task root (directory with handler.mjs) per bundle name. */
  dirs: Record<keyof typeof BUNDLE_SOURCES, string>;
  remove(): void;
}

/** Builds dist/ if needed and bundles each source into its own fresh temporary task root. */
export async function prepareBundles(names: (keyof typeof BUNDLE_SOURCES)[]): Promise<Bundles> {
  ensureDist();
  const root = mkdtempSync(join(tmpdir(), 'handlerstats-ric-'));
  const dirs = {} as Record<keyof typeof BUNDLE_SOURCES, string>;
  for (const name of names) {
    dirs[name] = join(root, name);
    await bundleHandler(BUNDLE_SOURCES[name], dirs[name], { format: CJS.has(name) ? 'cjs' : 'esm' });
  }
  return { dirs, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** A bucket-aligned Unix second inside Datadog's window, for points that must share one bucket. */
export function alignedBucket(secondsAgo = 60, interval = 10): number {
  return Math.floor((Date.now() / 1000 - secondsAgo) / interval) * interval;
}
