// The guarantee the Workers path depends on: the built Workers entries load no Node built-in.
// (The Miniflare suite runs their bundles without nodejs_compat, which would fail on one too.)
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('the Workers path has no node: import', () => {
  it('dist/worker.js, dist/fetch-handler.js and every chunk they load import nothing but relative files', () => {
    const seen = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      expect(existsSync(file), `${file} is missing: run npm run build`).toBe(true);
      seen.add(file);
      const code = readFileSync(file, 'utf8');
      const specifiers = [...code.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)["']([^"']+)["']/g)].map(
        (m) => m[1] ?? '',
      );
      for (const spec of specifiers) {
        expect(spec, `${file} imports ${spec}`).toMatch(/^\.\.?\//);
        visit(join(dirname(file), spec));
      }
      expect(code, `${file} mentions node:`).not.toMatch(/["']node:/);
    };
    visit('dist/worker.js');
    visit('dist/fetch-handler.js');
    expect(seen.size).toBeGreaterThan(2);
  });
});
