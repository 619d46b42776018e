import { defineConfig } from 'vitest/config';

// One project per runtime. `npm test` runs them all; each suite that needs a real part
// (VictoriaMetrics, workerd, aws-lambda-ric, chromium, Deno, Bun) starts it in its own setup. What a
// project needs beyond `npm ci` (system packages, Node 22/24, aws-lambda-ric, Serverless, Deno, Bun) its
// globalSetup provides first (scripts/provision.mjs), so any project also runs on its own on a fresh clone.
const provision = 'test/setup/provision.ts';

export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          globalSetup: [provision],
          include: ['test/**/*.test.ts'],
          exclude: [
            'test/workerd/**',
            'test/faults/**',
            'test/lambda-runtime/**',
            'test/serverless/**',
            'test/runtimes/**',
            'node_modules/**',
          ],
          testTimeout: 20_000,
          // test/memory measures the heap after a forced collection.
          execArgv: ['--expose-gc'],
        },
      },
      {
        // Reliability: fault injection (local intake + raw TCP front), concurrent load against VictoriaMetrics.
        extends: true,
        test: {
          name: 'faults',
          globalSetup: [provision],
          include: ['test/faults/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 30_000,
          execArgv: ['--expose-gc'],
        },
      },
      {
        // The real aws-lambda-ric 3 and 4 (.cache/deps) on Node 20/22/24 (.cache/node), frozen between
        // invocations by a Runtime API emulator, and `serverless package` (.cache/deps) run offline.
        extends: true,
        test: {
          name: 'lambda-runtime',
          globalSetup: [provision],
          include: ['test/lambda-runtime/**/*.test.ts', 'test/serverless/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
      // Inside workerd through @cloudflare/vitest-pool-workers (its own config: the pool is a Vite plugin).
      'test/workerd/vitest.config.ts',
      {
        // The real Deno and Bun (.cache/deps) running scripts that import the packed package by name.
        extends: true,
        test: {
          name: 'runtimes',
          globalSetup: [provision, 'test/runtimes/global-setup.ts'],
          include: ['test/runtimes/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        // workerd driven by Miniflare from Node, with production request semantics (cancellation).
        extends: true,
        test: {
          name: 'workerd-miniflare',
          include: ['test/workerd/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
    ],
  },
});
