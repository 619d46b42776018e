import { defineConfig } from 'vitest/config';

// One project per runtime. `npm test` runs them all; each suite that needs a real part
// (VictoriaMetrics, workerd, aws-lambda-ric, chromium) starts it in its own setup.
export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: ['test/**/*.test.ts'],
          exclude: ['test/workerd/**', 'test/faults/**', 'node_modules/**'],
          testTimeout: 20_000,
        },
      },
    ],
  },
});
