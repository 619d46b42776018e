import { deflateSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type Intake,
  MAX_V2_COMPRESSED_BYTES,
  MAX_V2_DECOMPRESSED_BYTES,
  renderTable,
  startIntake,
} from '../../src/intake/index.js';
import { postJson, send } from '../helpers/intake-http.js';

// POST /api/v2/series as Datadog documents it (https://docs.datadoghq.com/api/latest/metrics/#submit-metrics):
// 512,000 bytes, 5,242,880 decompressed; a body that is not a MetricPayload is a 400; an accepted
// body is a 202 `{"errors":[…]}` (IntakePayloadAccepted) naming the series that were refused.

const T = 1_700_000_000;
let intake: Intake;
async function start(options: Parameters<typeof startIntake>[0] = {}): Promise<Intake> {
  intake = await startIntake({ quiet: true, now: () => (T + 5) * 1000, ...options });
  return intake;
}
afterEach(async () => {
  await intake?.close();
});

const good = (metric: string, extra: Record<string, unknown> = {}) => ({
  metric,
  type: 3,
  points: [{ timestamp: T, value: 1 }],
  ...extra,
});
const v2 = (...series: unknown[]) =>
  postJson(intake.url, '/api/v2/series', { series }, { encoding: 'deflate' });

describe('v2: what is a 400 (the request is not a MetricPayload; nothing is stored)', () => {
  it.each([
    ['not JSON', '{"series":[', /not in the expected format/],
    ['no series', '{"metric":"a"}', /"series" must be an array/],
    ['series not an array', '{"series":{}}', /"series" must be an array/],
    ['an array body', '[]', /an object with a "series" array/],
    [
      'an element that is not an object',
      JSON.stringify({ series: [good('a'), 3] }),
      /series\[1\]: must be an object/,
    ],
    [
      'a metric that is not a string',
      JSON.stringify({ series: [good('a'), good(7 as never)] }),
      /series\[1\]: "metric" must be a string/,
    ],
    [
      'a type outside 0..3',
      JSON.stringify({ series: [good('a', { type: 4 })] }),
      /"type" must be 0, 1, 2 or 3/,
    ],
    [
      'a v1 type name',
      JSON.stringify({ series: [good('a', { type: 'gauge' })] }),
      /"type" must be 0, 1, 2 or 3/,
    ],
    [
      'v1-style points',
      JSON.stringify({ series: [good('a', { points: [[T, 1]] })] }),
      /\{timestamp, value\}/,
    ],
    [
      'a string value',
      JSON.stringify({ series: [good('a', { points: [{ timestamp: T, value: '1' }] })] }),
      /\{timestamp, value\}/,
    ],
    [
      'non-string tags',
      JSON.stringify({ series: [good('a', { tags: ['a:1', 2] })] }),
      /"tags" must be an array of strings/,
    ],
    [
      'resources not objects',
      JSON.stringify({ series: [good('a', { resources: ['host'] })] }),
      /"resources"/,
    ],
    [
      'a resource without a name',
      JSON.stringify({ series: [good('a', { resources: [{ type: 'host' }] })] }),
      /"name"/,
    ],
    [
      'a unit that is not a string',
      JSON.stringify({ series: [good('a', { unit: 5 })] }),
      /"unit" must be a string/,
    ],
    ['a negative interval', JSON.stringify({ series: [good('a', { interval: -1 })] }), /"interval"/],
  ])('%s', async (_, body, message) => {
    await start();
    const res = await send(intake.url, '/api/v2/series', body, { encoding: 'deflate' });
    expect(res.status).toBe(400);
    expect((res.json as { errors: string[] }).errors[0]).toMatch(message);
    const snap = intake.received();
    expect(snap.series).toEqual([]);
    expect(snap.counts.rejected).toEqual({ 400: 1 });
  });

  it('answers 413 past 512,000 bytes as sent or 5,242,880 decompressed, and accepts just under', async () => {
    await start();
    const tooBig = Buffer.alloc(MAX_V2_COMPRESSED_BYTES + 1, 0x20);
    expect((await send(intake.url, '/api/v2/series', tooBig)).status).toBe(413);
    const inflates = deflateSync(`{"series":[${' '.repeat(MAX_V2_DECOMPRESSED_BYTES)}]}`);
    expect(inflates.length).toBeLessThan(MAX_V2_COMPRESSED_BYTES);
    const res = await send(intake.url, '/api/v2/series', inflates, { encoding: 'deflate' });
    expect(res.status).toBe(413);
    expect((res.json as { errors: string[] }).errors[0]).toMatch(/5242880 bytes decompressed/);
    const fits = deflateSync(
      `{"series":[${JSON.stringify(good('fits'))}${' '.repeat(MAX_V2_DECOMPRESSED_BYTES - 200)}]}`,
    );
    expect((await send(intake.url, '/api/v2/series', fits, { encoding: 'deflate' })).status).toBe(202);
    // v1 keeps its own, larger limits.
    const v1 = deflateSync(`{"series":[${' '.repeat(MAX_V2_DECOMPRESSED_BYTES)}]}`);
    expect((await send(intake.url, '/api/v1/series', v1, { encoding: 'deflate' })).status).toBe(202);
  });
});

describe('v2: what is a 202 whose errors name refused series (the rest is stored)', () => {
  it('refuses bad names, long tags, missing fields per series, and says which', async () => {
    await start();
    const res = await v2(
      good('ok.one'),
      good('bad name'),
      good('ok.two', { tags: ['env:dev'] }),
      good('long.tag', { tags: [`t:${'x'.repeat(199)}`] }),
      { type: 1, points: [{ timestamp: T, value: 1 }] },
      good('no.value', { points: [{ timestamp: T }] }),
      { metric: 'no.points', type: 1 },
      good('huge.tag', { tags: [`t:${'y'.repeat(100_000)}`] }),
      good(`n${'a'.repeat(200)}`),
    );
    expect(res.status).toBe(202);
    const errors = (res.json as { errors: string[] }).errors;
    expect(errors).toEqual([
      expect.stringMatching(/^series\[1\] "bad name": invalid metric name/),
      expect.stringMatching(/^series\[3\] "long\.tag": tag longer than 200 characters/),
      expect.stringMatching(/^series\[4\]: "metric" is required/),
      expect.stringMatching(/^series\[5\] "no\.value": a point needs "timestamp" and "value"/),
      expect.stringMatching(/^series\[6\] "no\.points": "points" is required/),
      expect.stringMatching(/^series\[7\] "huge\.tag": tag longer than 200 characters/),
      expect.stringMatching(/^series\[8\] "na+": invalid metric name/),
    ]);
    const snap = intake.received();
    expect(snap.series.map((s) => s.metric)).toEqual(['ok.one', 'ok.two']);
    expect(snap.counts.rejectedSeries).toBe(7);
    expect(snap.counts.accepted).toBe(1);
  });

  it('answers {"errors":[]} when everything is accepted; ignores (and counts) points outside the window', async () => {
    await start();
    const points = [
      { timestamp: T + 5 - 3601, value: 1 },
      { timestamp: T + 5 - 3600, value: 2 },
      { timestamp: T + 5 + 600, value: 3 },
      { timestamp: T + 5 + 601, value: 4 },
    ];
    const res = await v2(good('w', { points }));
    expect([res.status, res.json]).toEqual([202, { errors: [] }]);
    const snap = intake.received();
    expect(snap.series[0]!.points).toEqual([
      [T + 5 - 3600, 2],
      [T + 5 + 600, 3],
    ]);
    expect(snap.counts.ignoredPoints).toEqual({ past: 1, future: 1 });
  });

  it('lists at most 1,000 refused series, then one line with the rest', async () => {
    await start();
    const series = Array.from({ length: 1003 }, (_, i) => good(`bad-${i}`));
    const res = await v2(...series);
    const errors = (res.json as { errors: string[] }).errors;
    expect(res.status).toBe(202);
    expect(errors).toHaveLength(1001);
    expect(errors[1000]).toBe('3 more series rejected (not listed)');
    expect(intake.received().counts.rejectedSeries).toBe(1003);
  });
});

describe('v2 points land in the same store as v1', () => {
  it('takes the host from a resource of type host; keeps the unit and shows it', async () => {
    await start();
    const res = await v2(
      good('disk.used', {
        unit: 'byte',
        resources: [
          { type: 'region', name: 'eu' },
          { type: 'host', name: 'web-1' },
        ],
        tags: ['env:dev'],
      }),
    );
    expect(res.status).toBe(202);
    const [s] = intake.received().series;
    expect(s).toMatchObject({
      metric: 'disk.used',
      host: 'web-1',
      unit: 'byte',
      type: 'gauge',
      tags: ['env:dev'],
    });
    expect(renderTable(intake.received())).toMatch(/disk\.used\s+gauge\(byte\)\s+host:web-1,env:dev/);
  });

  it('a v2 write to the series and timestamp of a v1 write replaces it (one series)', async () => {
    await start();
    const body = { series: [{ metric: 'c', type: 'count', points: [[T, 3]], host: 'h', tags: ['a:1'] }] };
    await postJson(intake.url, '/api/v1/series', body);
    await v2(
      good('c', {
        type: 1,
        resources: [{ type: 'host', name: 'h' }],
        tags: ['a:1'],
        points: [{ timestamp: T, value: 5 }],
      }),
    );
    const snap = intake.received();
    expect(snap.series).toHaveLength(1);
    expect(snap.series[0]).toMatchObject({ host: 'h', type: 'count', points: [[T, 5]], overwrites: 1 });
  });
});
