// The `workerd` project: tests that run inside the real Workers runtime through
// @cloudflare/vitest-pool-workers (0.15: the `cloudflareTest` Vite plugin, Vitest 4). The examples are
// imported by the tests and resolved like a user's bundler would (`workerd`/`worker` export conditions).

import { fileURLToPath } from 'node:url';
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineProject } from 'vitest/config';

export default defineProject({
  plugins: [
    cloudflareTest(({ inject }) => ({
      // `SELF` / `exports.default` is the WorkerEntrypoint example, dispatched by the runtime.
      main: './examples/entrypoint/index.ts',
      miniflare: {
        compatibilityDate: '2025-09-01',
        // The pool's own runner needs nodejs_compat; handlerstats does not (the Miniflare suite runs without it).
        compatibilityFlags: ['nodejs_compat'],
        bindings: { DD_API_KEY: 'workerd-test-key', DD_DD_URL: inject('intakeUrl') },
      },
    })),
  ],
  test: {
    name: 'workerd',
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/workerd/runtime/**/*.test.ts'],
    globalSetup: ['test/workerd/global-setup.ts'],
    testTimeout: 30_000,
  },
});
