import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson } from '../helpers/intake-http.js';

// The bin is bundled from source here (as scripts/build.mjs does), so the test does not depend on dist/.
let dir: string;
let cli: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'handlerstats-cli-'));
  cli = join(dir, 'cli.mjs');
  await build({
    entryPoints: ['src/cli.ts'],
    outfile: cli,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    logLevel: 'warning',
    external: ['node:*'],
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  child: ChildProcess;
  out: () => string;
  exited: Promise<number | null>;
}

function run(args: string[]): Run {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr!.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out: () => out, exited };
}

async function waitFor(r: Run, pattern: RegExp, ms = 5000): Promise<RegExpMatchArray> {
  const until = Date.now() + ms;
  for (;;) {
    const m = r.out().match(pattern);
    if (m) return m;
    if (Date.now() > until) throw new Error(`timed out waiting for ${pattern}; output:\n${r.out()}`);
    await new Promise((res) => setTimeout(res, 25));
  }
}

describe('handlerstats bin', () => {
  it('keeps its #!/usr/bin/env node line through esbuild', () => {
    expect(readFileSync(cli, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  });

  it('--help prints usage and exits 0; an unknown command exits 2', async () => {
    const help = run(['--help']);
    expect(await help.exited).toBe(0);
    expect(help.out()).toMatch(/Usage: handlerstats intake/);
    const bad = run(['frobnicate']);
    expect(await bad.exited).toBe(2);
    expect(bad.out()).toMatch(/unknown command "frobnicate"/);
  });

  it('starts an intake that answers, logs requests, applies --fail-status/--fail-count, stops on SIGINT', async () => {
    const r = run(['intake', '--port', '0', '--no-table', '--fail-status', '503', '--fail-count', '1']);
    try {
      const [, url] = await waitFor(r, /listening on (http:\/\/127\.0\.0\.1:\d+)/);
      const body = {
        series: [{ metric: 'cli.c', type: 'count', points: [[Math.floor(Date.now() / 1000), 1]] }],
      };
      expect((await postJson(url!, '/api/v1/series', body)).status).toBe(503);
      expect((await postJson(url!, '/api/v1/series', body)).status).toBe(202);
      await waitFor(r, /\[intake\] 202 POST \/api\/v1\/series/);
      const page = await fetch(`${url}/`);
      expect(await page.text()).toMatch(/<title>handlerstats intake<\/title>/);
    } finally {
      r.child.kill('SIGINT');
    }
    expect(await r.exited).toBe(0);
  });

  it('draws the table with --table when stdout is not a terminal', async () => {
    const r = run(['intake', '--port', '0', '--table']);
    try {
      const [, url] = await waitFor(r, /listening on (http:\/\/127\.0\.0\.1:\d+)/);
      const body = {
        series: [{ metric: 'table.metric', type: 'gauge', points: [[Math.floor(Date.now() / 1000), 42]] }],
      };
      expect((await postJson(url!, '/api/v1/series', body)).status).toBe(202);
      await waitFor(r, /table\.metric\s+gauge\s+1\s+\S+\s+42/);
    } finally {
      r.child.kill('SIGTERM');
    }
    expect(await r.exited).toBe(0);
  });
});
