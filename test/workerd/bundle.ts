// Bundles a Worker the way a user's build does (esbuild; wrangler uses the same conditions): the
// package's own name resolves through package.json exports to dist/, `workerd` condition first.
import { existsSync } from 'node:fs';
import { build } from 'esbuild';

export async function bundleWorker(entry: string): Promise<string> {
  for (const file of ['dist/worker.js', 'dist/fetch-handler.js'])
    if (!existsSync(file))
      throw new Error(`${file} is missing: run \`npm run build\` before the workerd tests`);
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    target: 'es2022',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    external: ['cloudflare:*'],
    logLevel: 'error',
  });
  const code = result.outputFiles[0]?.text;
  if (code === undefined) throw new Error(`esbuild produced nothing for ${entry}`);
  return code;
}
