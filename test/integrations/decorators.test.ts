// `@metrics.timed` and `@flushMetrics` in both decorator modes. TypeScript compiles decorators per
// tsconfig, so one fixture is compiled twice with esbuild (TC39 standard, and experimentalDecorators),
// then imported and run against the same checks.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { transform } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { createMetrics, type Metrics } from '../../src/index.js';
import { flushMetrics } from '../../src/integrations/fetch-handler.js';
import { createMemoryTransport } from '../../src/testing.js';
import { testClock } from '../helpers/clock.js';
import { seriesOf } from '../helpers/wire.js';

const FIXTURE = `
interface Deps { metrics: any; flushMetrics: any }
type Ctx = { waitUntil(promise: Promise<unknown>): void };
export function define({ metrics, flushMetrics }: Deps) {
  class Service {
    static label = 'service';
    calls = 0;
    @metrics.timed('work.sync', { tags: ['kind:sync'] })
    work(n: number): number {
      this.calls++;
      return n * 2;
    }
    @metrics.timed('work.async')
    async workAsync(n: number): Promise<number> {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return n + 1;
    }
    @metrics.timed('work.fail')
    fail(): never {
      throw new RangeError('nope');
    }
    @flushMetrics(metrics)
    async handle(_request: unknown, _env: unknown, _ctx: Ctx): Promise<string> {
      metrics.increment('handled');
      return 'ok:' + this.calls;
    }
  }
  return Service;
}
`;

interface Service {
  calls: number;
  work(n: number): number;
  workAsync(n: number): Promise<number>;
  fail(): never;
  handle(request: unknown, env: unknown, ctx: { waitUntil(p: Promise<unknown>): void }): Promise<string>;
}
type Define = (deps: { metrics: Metrics; flushMetrics: typeof flushMetrics }) => (new () => Service) & {
  label: string;
};

const dir = mkdtempSync(join(tmpdir(), 'handlerstats-decorators-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function compile(experimentalDecorators: boolean): Promise<{ code: string; define: Define }> {
  const { code } = await transform(FIXTURE, {
    loader: 'ts',
    format: 'esm',
    target: 'es2022',
    tsconfigRaw: { compilerOptions: { experimentalDecorators } },
  });
  const file = join(dir, `fixture-${experimentalDecorators ? 'experimental' : 'standard'}.mjs`);
  writeFileSync(file, code);
  const mod = (await import(/* @vite-ignore */ pathToFileURL(file).href)) as { define: Define };
  return { code, define: mod.define };
}

describe.each([
  { mode: 'TC39 standard decorators', experimental: false, helper: '__decorateElement' },
  { mode: 'experimentalDecorators', experimental: true, helper: '__decorateClass' },
])('$mode', ({ experimental, helper }) => {
  it('compiles in this mode', async () => {
    const { code } = await compile(experimental);
    expect(code).toContain(helper);
  });

  it('@metrics.timed times sync, async and throwing methods, keeping this, results and errors', async () => {
    const transport = createMemoryTransport();
    const metrics = createMetrics({ transport, now: testClock(), flushInterval: 0, strict: true });
    const Service = (await compile(experimental)).define({ metrics, flushMetrics });
    const service = new Service();
    expect(Service.label).toBe('service');
    expect(service.work(2)).toBe(4);
    expect(service.calls).toBe(1);
    await expect(service.workAsync(2)).resolves.toBe(3);
    expect(() => service.fail()).toThrow(RangeError);
    await metrics.flush();
    const counts = seriesOf(transport.requests).filter((s) => s.metric.endsWith('.count'));
    expect(counts.map((s) => [s.metric, s.tags, s.points[0]?.[1]])).toEqual(
      expect.arrayContaining([
        ['work.sync.count', ['kind:sync'], 1],
        ['work.async.count', [], 1],
        ['work.fail.count', [], 1],
      ]),
    );
    const max = seriesOf(transport.requests).find((s) => s.metric === 'work.async.max');
    expect(max?.points[0]?.[1]).toBeGreaterThan(0);
  });

  it('@flushMetrics hands the flush to the ctx argument and keeps the result', async () => {
    const transport = createMemoryTransport();
    const metrics = createMetrics({ transport, now: testClock(), flushInterval: 0 });
    const Service = (await compile(experimental)).define({ metrics, flushMetrics });
    const service = new Service();
    service.work(1);
    const waited: Promise<unknown>[] = [];
    await expect(service.handle({}, {}, { waitUntil: (p) => void waited.push(p) })).resolves.toBe('ok:1');
    expect(waited).toHaveLength(1);
    await Promise.all(waited);
    expect(seriesOf(transport.requests).map((s) => s.metric)).toContain('handled');
  });
});
