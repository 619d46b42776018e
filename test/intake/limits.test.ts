import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Intake,
  MAX_COMPRESSED_BYTES,
  MAX_DECOMPRESSED_BYTES,
  startIntake,
} from '../../src/intake/index.js';
import { postJson, send } from '../helpers/intake-http.js';

let intake: Intake;
beforeAll(async () => {
  intake = await startIntake({ quiet: true });
});
afterAll(() => intake.close());

describe('size limits (Datadog: 3,200,000 bytes compressed, 62,914,560 decompressed)', () => {
  it('answers 413 to a body over the compressed limit, and keeps serving', async () => {
    const body = `{"series":[${' '.repeat(MAX_COMPRESSED_BYTES)}]}`;
    const res = await send(intake.url, '/api/v1/series', body);
    expect(res.status).toBe(413);
    expect((res.json as { errors: string[] }).errors[0]).toMatch(/too large/i);
    const t = Math.floor(Date.now() / 1000);
    const ok = await postJson(intake.url, '/api/v1/series', { series: [{ metric: 'c', points: [[t, 1]] }] });
    expect(ok.status).toBe(202);
  });

  it('answers 413 to a small gzip body that inflates past the decompressed limit (a bomb)', async () => {
    // Concatenated gzip members are one valid gzip stream: 61 × 1 MiB of spaces, compressed once.
    const mib = gzipSync(Buffer.alloc(1 << 20, 0x20));
    const members = Math.ceil(MAX_DECOMPRESSED_BYTES / (1 << 20)) + 1;
    const bomb = Buffer.concat([gzipSync('{"series":['), ...Array.from({ length: members }, () => mib)]);
    expect(bomb.length).toBeLessThan(MAX_COMPRESSED_BYTES);
    const res = await send(intake.url, '/api/v1/series', bomb, { encoding: 'gzip' });
    expect(res.status).toBe(413);
    expect((res.json as { errors: string[] }).errors[0]).toMatch(/decompressed/);
  });

  it('accepts a body just under the limits', async () => {
    const t = Math.floor(Date.now() / 1000);
    const series = Array.from({ length: 8_000 }, (_, i) => ({
      metric: `m.n${i}`,
      points: [[t, i]],
      tags: ['x:y'],
    }));
    const res = await postJson(intake.url, '/api/v1/series', { series }, { encoding: 'deflate' });
    expect(res.status).toBe(202);
    expect(intake.received().series.length).toBeGreaterThanOrEqual(8_000);
  });
});

describe('bodies in progress share one budget (maxBodyBytes)', () => {
  it('answers 503 with Retry-After while stalled bodies hold the budget, and admits again once they end', async () => {
    const small = await startIntake({ quiet: true, maxBodyBytes: 1_000_000 });
    try {
      const t = Math.floor(Date.now() / 1000);
      const text = Buffer.from(`{"series":[{"metric":"held","points":[[${t},1]]}${' '.repeat(900_000)}]}`);
      // A body announced at 900 KB that stalls before its last byte holds its reservation.
      let status = 0;
      const first = request(new URL('/api/v1/series', small.url), {
        method: 'POST',
        agent: false,
        headers: { 'DD-API-KEY': 'k', 'Content-Length': String(text.length) },
      });
      const answered = new Promise<void>((resolve) =>
        first.on('response', (res) => {
          status = res.statusCode ?? 0;
          res.resume();
          res.on('end', () => resolve());
        }),
      );
      first.write(text.subarray(0, text.length - 1));
      for (let i = 0; i < 100 && small.received().usage.bodyBytes === 0; i++)
        await new Promise((r) => setTimeout(r, 10));
      expect(small.received().usage.bodyBytes).toBe(text.length);
      const body = { series: [{ metric: 'later', points: [[t, 1]] }] };
      const busy = await postJson(small.url, '/api/v1/series', { ...body, pad: ' '.repeat(200_000) });
      expect(busy.status).toBe(503);
      expect(busy.headers['retry-after']).toBe('1');
      expect((busy.json as { errors: string[] }).errors[0]).toMatch(/holds \d+ bytes of request bodies/);
      first.end(text.subarray(text.length - 1));
      await answered;
      expect(status).toBe(202);
      expect(small.received().usage.bodyBytes).toBe(0);
      expect(
        (await postJson(small.url, '/api/v1/series', { ...body, pad: ' '.repeat(200_000) })).status,
      ).toBe(202);
      expect(small.received().series.map((s) => s.metric)).toEqual(['held', 'later']);
      expect(small.received().counts.rejected).toEqual({ 503: 1 });
    } finally {
      await small.close();
    }
  });
});
