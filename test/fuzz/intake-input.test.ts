import { deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/index.js';
import { INGEST_PATHS, type Intake, type ReceivedSnapshot, startIntake } from '../../src/intake/index.js';
import { anything, expectNoPollution } from './arbitraries.js';

let intake: Intake;
beforeAll(async () => {
  intake = await startIntake({ quiet: true, maxSeries: 2000, maxPoints: 20_000 });
});
afterAll(async () => {
  await intake.close();
  expectNoPollution();
});

/** A Datadog-shaped payload with hostile leaves, so validation is reached, not only JSON parsing. */
const leaf = fc.oneof(anything({ noBigInt: true }), fc.double(), fc.string({ maxLength: 20 }));
const payload = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.record({
    series: fc.array(
      fc.record(
        {
          metric: fc.oneof(fc.constantFrom('a', 'b.c', '__proto__', ''), leaf),
          type: fc.oneof(fc.constantFrom('count', 'gauge', 'rate', 0, 1, 3), leaf),
          points: fc.oneof(
            fc.array(fc.tuple(fc.oneof(fc.constant(Math.floor(Date.now() / 1000)), leaf), leaf), {
              maxLength: 3,
            }),
            // distribution_points: [t, [values]]
            fc.array(fc.tuple(fc.constant(Math.floor(Date.now() / 1000)), fc.array(leaf, { maxLength: 3 })), {
              maxLength: 2,
            }),
            // v2: {timestamp, value}
            fc.array(
              fc.record(
                { timestamp: fc.oneof(fc.constant(Math.floor(Date.now() / 1000)), leaf), value: leaf },
                { requiredKeys: [] },
              ),
              { maxLength: 3 },
            ),
            leaf,
          ),
          resources: fc.oneof(
            fc.array(
              fc.record({ type: fc.oneof(fc.constant('host'), leaf), name: leaf }, { requiredKeys: [] }),
              {
                maxLength: 2,
              },
            ),
            leaf,
          ),
          unit: leaf,
          tags: fc.oneof(fc.array(fc.oneof(fc.string({ maxLength: 10 }), leaf), { maxLength: 3 }), leaf),
          host: leaf,
          interval: leaf,
        },
        { requiredKeys: [] },
      ),
      { maxLength: 4 },
    ),
  }),
);
const encoding = fc.constantFrom('identity', 'deflate', 'gzip', 'deflate-lie', 'br');

function encode(text: string, enc: string): { body: Uint8Array; header: string | undefined } {
  if (enc === 'deflate') return { body: deflateSync(text), header: 'deflate' };
  if (enc === 'gzip') return { body: gzipSync(text), header: 'gzip' };
  if (enc === 'deflate-lie') return { body: Buffer.from(text), header: 'deflate' };
  if (enc === 'br') return { body: Buffer.from(text), header: 'br' };
  return { body: Buffer.from(text), header: undefined };
}

describe('hostile input: the local intake (handlerstats/intake)', () => {
  it('answers every ingest request with 202/400/413/415, never 5xx, and keeps serving', {
    timeout: 60_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...INGEST_PATHS),
        fc.oneof(
          payload.map((p) => JSON.stringify(p) ?? 'null'),
          fc.string({ maxLength: 200 }),
          fc.constant('{"series":[{"metric":"x","points":[[1,1]],"__proto__":{"polluted":"yes"}}]}'),
        ),
        encoding,
        async (path, text, enc) => {
          const { body, header } = encode(text, enc);
          const headers: Record<string, string> = { 'DD-API-KEY': 'k', 'Content-Type': 'application/json' };
          if (header !== undefined) headers['Content-Encoding'] = header;
          const res = await fetch(intake.url + path, { method: 'POST', headers, body: new Uint8Array(body) });
          const answer = (await res.json()) as { errors?: unknown };
          expect([200, 202, 400, 413, 415]).toContain(res.status);
          // A refusal, and any v2 answer, lists its errors as strings (Datadog's shape).
          if (res.status >= 400 || path === '/api/v2/series')
            expect(Array.isArray(answer.errors) && answer.errors.every((e) => typeof e === 'string')).toBe(
              true,
            );
        },
      ),
      { numRuns: 300 },
    );
    const snapshot = await fetch(`${intake.url}/api/received`);
    expect(snapshot.status).toBe(200);
    // The streamed JSON is the in-process snapshot (the clock aside), whatever the fuzz stored.
    const { now: _http, ...streamed } = (await snapshot.json()) as ReceivedSnapshot;
    const { now: _mem, ...held } = intake.received();
    expect(streamed).toEqual(JSON.parse(JSON.stringify(held)));
    expect(intake.received().counts.storedPoints).toBeLessThanOrEqual(10_000_000);
    // A real client still gets through.
    const metrics = createMetrics({ apiKey: 'k', intakeUrl: intake.url, flushInterval: 0, env: {} });
    metrics.increment('after.fuzz');
    await expect(metrics.flush()).resolves.toMatchObject({ ok: true });
    await metrics.close();
  });

  it('fault specs: inject() accepts a valid spec or throws RangeError; POST /api/faults answers 200 or 400', async () => {
    const spec = fc.oneof(
      anything({ noBigInt: true }),
      fc.record(
        {
          status: fc.oneof(fc.integer({ min: 100, max: 700 }), leaf),
          count: fc.oneof(fc.integer({ min: -1, max: 3 }), leaf),
          delayMs: fc.oneof(fc.integer({ min: -1, max: 10 }), leaf),
          reset: leaf,
          hang: leaf,
          retryAfter: leaf,
        },
        { requiredKeys: [] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(spec, async (s) => {
        try {
          intake.faults.inject(s as never);
        } catch (error) {
          expect(error).toBeInstanceOf(RangeError);
        }
        intake.faults.clear();
        const res = await fetch(`${intake.url}/api/faults`, {
          method: 'POST',
          body: JSON.stringify(s) ?? 'undefined',
        });
        await res.arrayBuffer();
        expect([200, 400]).toContain(res.status);
        intake.faults.clear();
      }),
      { numRuns: 200 },
    );
  });
});
