// Builds dist/: one ESM bundle per public entry (shared code in chunks), plus .d.ts from tsc.
//
// Types of the root export (package.json "."), by what TypeScript matches (`types`, `node` under
// node16/nodenext, `import`/`require`, customConditions — never `workerd`/`worker` on its own):
// - dist/worker.d.ts, platform-neutral (no Node-only name): the `types` condition (a stock wrangler or
//   any bundler-resolved project) and the `workerd`/`worker`/`browser`/`deno` conditions;
// - dist/index.d.ts, the Node build's: the `node` condition (nodenext/node16 projects), which also lists
//   the 0.1 root export createHttpTransport, deprecated in favour of `handlerstats/node`.
// At run time nothing changed: Node gets dist/index.js (which still exports createHttpTransport),
// workerd/worker/browser/deno get dist/worker.js. Checked on the packed package: test/types/.
import { execFileSync } from 'node:child_process';
import { chmodSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

export const entryPoints = {
  index: 'src/index.ts',
  worker: 'src/worker.ts',
  testing: 'src/testing.ts',
  lambda: 'src/integrations/lambda.ts',
  // NODE_OPTIONS=--import=handlerstats/lambda/extension: its own entry (top-level await, never require()d).
  'lambda-extension': 'src/integrations/lambda-extension-import.ts',
  middy: 'src/integrations/middy.ts',
  intake: 'src/intake/index.ts',
  cli: 'src/cli.ts', // keeps its `#!/usr/bin/env node` line (esbuild preserves an entry's hashbang)
  'fetch-handler': 'src/integrations/fetch-handler.ts',
  undici: 'src/transports/undici.ts',
  node: 'src/node.ts',
};

rmSync('dist', { recursive: true, force: true });
await build({
  entryPoints,
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  external: ['node:*', '@middy/core', 'undici'],
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
});
chmodSync('dist/cli.js', 0o755);
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
  stdio: 'inherit',
});
