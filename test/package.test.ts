import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The built package, loaded the way users load it: by name, through the exports map.
const run = (code: string, type: 'module' | 'commonjs') =>
  execFileSync(
    process.execPath,
    [type === 'module' ? '--input-type=module' : '--input-type=commonjs', '-e', code],
    {
      encoding: 'utf8',
    },
  ).trim();

describe('package', () => {
  it('is built', () => {
    expect(existsSync('dist/index.js')).toBe(true);
  });

  it('sends and prints the version package.json declares (User-Agent, `handlerstats --version`)', () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(execFileSync(process.execPath, ['dist/cli.js', '--version'], { encoding: 'utf8' }).trim()).toBe(
      version,
    );
  });

  it('loads with import and with require() (no top-level await)', () => {
    const names = "['createMetrics','isMetricsError','MetricsError','createLogTransport']";
    expect(
      run(`const m = await import('handlerstats'); console.log(${names}.every((k) => k in m))`, 'module'),
    ).toBe('true');
    expect(
      run(`const m = require('handlerstats'); console.log(${names}.every((k) => k in m))`, 'commonjs'),
    ).toBe('true');
    expect(run("console.log(typeof require('handlerstats/lambda').withMetrics)", 'commonjs')).toBe(
      'function',
    );
    expect(run("console.log(typeof require('handlerstats/testing').createMemoryTransport)", 'commonjs')).toBe(
      'function',
    );
  });

  it('declares engines, types and every subpath', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
      engines: { node: string };
      type: string;
      exports: Record<string, unknown>;
    };
    expect(pkg.type).toBe('module');
    expect(pkg.engines.node).toBe('>=20.19');
    for (const [subpath, target] of Object.entries(pkg.exports)) {
      if (subpath === './package.json') continue;
      const t = target as { types: string; default: string };
      expect(existsSync(t.types), `${subpath} types`).toBe(true);
      expect(existsSync(t.default), `${subpath} default`).toBe(true);
    }
  });

  it('the Workers entry imports no Node built-in', () => {
    const code = readFileSync('dist/worker.js', 'utf8');
    const chunks = [...code.matchAll(/from\s*"(\.\/chunks\/[^"]+)"/g)].map((m) =>
      readFileSync(`dist/${m[1]}`, 'utf8'),
    );
    for (const text of [code, ...chunks]) expect(text).not.toMatch(/["']node:/);
  });
});
