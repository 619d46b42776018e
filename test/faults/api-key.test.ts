import { inspect } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMetrics } from '../../src/index.js';
import { API_KEY, INVOCATION_TIMEOUT_MS, startRig } from './support/rig.js';

// A key with whitespace around it is trimmed (the trailing-newline rows of faults.test.ts). One with a
// control character left inside can never be sent as a header (node:http throws ERR_INVALID_CHAR on every
// attempt): DESIGN §15 — from code, createMetrics throws without echoing it; from DD_API_KEY, a warning
// naming the variable and the log transport, never a request, never a crash.
const BROKEN = `${API_KEY.slice(0, 16)}\u0001${API_KEY.slice(16)}`;
const SECRET_PARTS = [API_KEY.slice(0, 16), API_KEY.slice(16)];

afterEach(() => {
  vi.restoreAllMocks();
});

describe('faults: an API key with a control character inside', () => {
  it('from code: createMetrics throws a TypeError that does not echo the key', () => {
    let thrown: unknown;
    try {
      createMetrics({ apiKey: BROKEN, intakeUrl: 'http://127.0.0.1:9', flushInterval: 0, env: {} });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TypeError);
    const text = `${String(thrown)} ${inspect(thrown, { depth: 5 })}`;
    expect(text).toMatch(/apiKey.*control characters/);
    for (const part of SECRET_PARTS) expect(text).not.toContain(part);
  });

  it('from DD_API_KEY: INVALID_ENV once, the log transport, no request, the invocation unharmed', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => {
      lines.push(String(line));
    });
    const rig = await startRig('front', {}, { envApiKey: BROKEN });
    try {
      const invocations = [await rig.invoke(0)];
      rig.clock.advance(1);
      invocations.push(await rig.invoke(1));
      for (const [i, inv] of invocations.entries()) {
        expect(inv.result).toEqual({ statusCode: 200, i });
        expect(inv.latencyMs).toBeLessThan(INVOCATION_TIMEOUT_MS);
      }
      // Reported once, naming the variable, never the key.
      expect(rig.errors.map((e) => e.code)).toEqual(['INVALID_ENV']);
      expect(rig.errors[0]!.details).toMatchObject({ variable: 'DD_API_KEY' });
      const text = `${rig.errors[0]!.message} ${inspect(rig.errors[0], { depth: 5 })} ${lines.join('\n')}`;
      for (const part of SECRET_PARTS) expect(text).not.toContain(part);

      // No request left for the intake URL: nothing reached the front, nothing was stored.
      expect(rig.front.log).toEqual([]);
      expect(rig.snapshot().counts.requests).toBe(0);

      // Truth, in the log: the Forwarder adds up the lines, so each count's lines sum to its true total.
      const points = lines.filter((l) => l.startsWith('{"e":')).map((l) => JSON.parse(l));
      const sum = (metric: string, tags: string[]): number =>
        points
          .filter((p) => p.m === metric && JSON.stringify(p.t) === JSON.stringify(tags))
          .reduce((n, p) => n + p.v, 0);
      const truth = rig.truth.series();
      const bucket = Number(Object.keys(truth['app.orders{plan=pro}']!)[0]);
      expect(sum('app.orders', ['plan:pro'])).toBe(truth['app.orders{plan=pro}']![bucket]);
      expect(sum('app.orders', ['plan:free'])).toBe(truth['app.orders{plan=free}']![bucket]);
      expect(sum('app.stock', [])).toBe(truth['app.stock{}']![bucket]);
      expect(lines.filter((l) => l.includes('"title":"invocation'))).toHaveLength(2);

      // Accounting: everything went out (to the log), nothing dropped or left.
      const s = rig.metrics.stats();
      expect(s.buffered).toBe(0);
      expect(s.recorded).toBe(rig.truth.points());
      expect(Object.values(s.dropped).every((n) => n === 0)).toBe(true);
      expect(s.failedFlushes).toBe(0);
    } finally {
      await rig.close();
    }
  });
});
