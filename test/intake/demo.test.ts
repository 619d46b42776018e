import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('npm start (scripts/demo.mjs)', () => {
  it('runs the Lambda example against the local intake and prints what arrived', {
    timeout: 90_000,
  }, async () => {
    const { stdout, stderr } = await run(process.execPath, ['scripts/demo.mjs', '--once'], {
      env: {
        ...process.env,
        HANDLERSTATS_INTAKE_PORT: '0',
        CI: 'true',
        DD_API_KEY: '',
        DD_DD_URL: '',
        DD_TAGS: '',
      },
      timeout: 80_000,
    });
    expect(stdout).toMatch(/6 invocations of examples\/lambda\/handler\.ts → http:\/\/127\.0\.0\.1:\d+/);
    for (let i = 1; i <= 6; i++) expect(stdout).toMatch(new RegExp(`invocation ${i}: .* → 200 `));
    // Six invocations in one bucket: the intake's last write holds the total, after five overwrites.
    expect(stdout).toMatch(/shop\.orders\.placed\s+count\s+source:lambda,team:checkout\s+1\s+\S+\s+6\s+6\/5/);
    // The late order (30 s ago) landed in an earlier bucket: two timestamps for plan:free.
    expect(stdout).toMatch(/shop\.orders\.by_plan\s+count\s+plan:free,team:checkout\s+2\s/);
    expect(stdout).toMatch(
      /shop\.orders\.items\s+distribution\s+plan:pro,team:checkout\s+1\s+\S+\s+4 values/,
    );
    // The 2-hour-old order never left the client.
    expect(stdout).toMatch(/dropped outOfWindow 1/);
    expect(stdout).toMatch(/ignored \(window\) past 0 future 0/);
    expect(stdout).toMatch(/Charts: http:\/\/127\.0\.0\.1:\d+\//);
    expect(stderr).toMatch(/OUT_OF_WINDOW/);
  });
});
