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
