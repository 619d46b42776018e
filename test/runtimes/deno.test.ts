// The packed package inside the real Deno (scripts/deps/deno). Deno matches the `deno`, `node` and
// `import` export conditions; the package's `deno` condition selects the fetch-based entry.
import { expect, inject, it } from 'vitest';
import { startIntake } from '../../src/intake/index.js';
import { run, runtime } from './runtimes.js';
import { runtimeSuite } from './suite.js';

runtimeSuite('deno', {
  entry: 'dist/worker.js',
  conditions: ['deno', 'node', 'import'],
  defaultTransport: 'fetch',
});

// 0.2 before the fix: without --allow-env, Deno's process.env throws NotCapable on the first read and
// createMetrics() threw with it, even with every option given in code. Now nothing is read without the
// permission (src/client/env.ts), and nothing prompts.
it('createMetrics works on Deno granted only --allow-net (no env access)', async () => {
  const intake = await startIntake({ quiet: true });
  try {
    const [flushed] = await run(
      runtime('deno'),
      inject('runtimesApp'),
      'flush.ts',
      { intakeUrl: intake.url },
      ['--allow-net=127.0.0.1'],
    );
    expect(flushed).toMatchObject({ flushed: true, ok: true });
  } finally {
    await intake.close();
  }
});
