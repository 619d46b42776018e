import { afterEach, describe, expect, it } from 'vitest';
import { type Intake, startIntake } from '../../src/intake/index.js';
import { postJson, send } from '../helpers/intake-http.js';

const T = 1_700_000_000;
let intake: Intake;

async function start(options: Parameters<typeof startIntake>[0] = {}): Promise<Intake> {
  intake = await startIntake({ quiet: true, now: () => (T + 5) * 1000, ...options });
  return intake;
}
afterEach(async () => {
  await intake?.close();
});

const v1 = (metric: string, points: [number, number][], extra: Record<string, unknown> = {}) => ({
  series: [{ metric, type: 'count', interval: 10, points, host: '', tags: [], ...extra }],
});

describe('endpoints and encodings', () => {
  it.each(['identity', 'deflate', 'gzip'])(
    'accepts /api/v1/series as %s and answers like Datadog',
    async (encoding) => {
      await start();
      const res = await postJson(
        intake.url,
        '/api/v1/series',
        v1('a.b', [[T, 3]], { tags: ['z:1', 'a:2', 'z:1'] }),
        {
          encoding,
        },
      );
      expect(res.status).toBe(202);
      expect(res.json).toEqual({ status: 'ok' });
      const [s] = intake.received().series;
      expect(s).toMatchObject({
        metric: 'a.b',
        type: 'count',
        host: '',
        tags: ['a:2', 'z:1'],
        interval: 10,
        points: [[T, 3]],
      });
    },
  );

  it('accepts /api/v2/series (numeric types, host from resources) and answers {"errors":[]}', async () => {
    await start();
    const body = {
      series: [
        {
          metric: 'v2.g',
          type: 3,
          points: [{ timestamp: T, value: 1.5 }],
          resources: [{ name: 'web-1', type: 'host' }],
          tags: ['env:dev'],
        },
        { metric: 'v2.c', type: 1, interval: 10, points: [{ timestamp: T, value: 2 }] },
      ],
    };
    const res = await postJson(intake.url, '/api/v2/series', body, { encoding: 'deflate' });
    expect(res.status).toBe(202);
    expect(res.json).toEqual({ errors: [] });
    const series = intake.received().series;
    expect(series.map((s) => [s.metric, s.type, s.host, s.points])).toEqual([
      ['v2.g', 'gauge', 'web-1', [[T, 1.5]]],
      ['v2.c', 'count', '', [[T, 2]]],
    ]);
  });

  it('keeps every distribution value, across requests', async () => {
    await start();
    const d = (values: number[]) => ({
      series: [{ metric: 'lat', points: [[T, values]], host: 'h', tags: ['a:1'] }],
    });
    expect(
      (await postJson(intake.url, '/api/v1/distribution_points', d([1, 2]), { encoding: 'deflate' })).status,
    ).toBe(202);
    await postJson(intake.url, '/api/v1/distribution_points', d([3]));
    const [dist] = intake.received().distributions;
    expect(dist).toMatchObject({
      metric: 'lat',
      host: 'h',
      tags: ['a:1'],
      points: [[T, [1, 2, 3]]],
      writes: 3,
    });
  });

  it('accepts distribution_points with type "distribution" or none, and refuses another type', async () => {
    await start();
    const d = (type?: string) => ({ series: [{ metric: 'lat', type, points: [[T, [1]]] }] });
    expect((await postJson(intake.url, '/api/v1/distribution_points', d('distribution'))).status).toBe(202);
    expect((await postJson(intake.url, '/api/v1/distribution_points', d())).status).toBe(202);
    const bad = await postJson(intake.url, '/api/v1/distribution_points', d('gauge'));
    expect([bad.status, (bad.json as { errors: string[] }).errors]).toEqual([
      400,
      ['series[0] "lat": "type" must be "distribution"'],
    ]);
    expect(intake.received().distributions[0]!.values).toBe(2);
  });

  it('accepts events and keeps them', async () => {
    await start();
    const event = { title: 'Deploy', text: 'v42', date_happened: T, alert_type: 'success', tags: ['a:1'] };
    const res = await postJson(intake.url, '/api/v1/events', event);
    expect(res.status).toBe(202);
    expect(res.json).toMatchObject({ status: 'ok', event: { title: 'Deploy' } });
    expect(intake.received().events).toEqual([event]);
    expect((await postJson(intake.url, '/api/v1/events', { text: 'no title' })).status).toBe(400);
  });

  it('serves the snapshot, clears it, and answers 404/405 elsewhere', async () => {
    await start();
    await postJson(intake.url, '/api/v1/series', v1('c', [[T, 1]]));
    const got = await send(intake.url, '/api/received');
    expect(got.json).toMatchObject({
      series: [{ metric: 'c' }],
      counts: { requests: 1, accepted: 1 },
      now: T + 5,
    });
    expect((await send(intake.url, '/api/received', undefined, { method: 'DELETE' })).status).toBe(200);
    expect(intake.received().series).toEqual([]);
    expect((await send(intake.url, '/nope')).status).toBe(404);
    expect((await send(intake.url, '/api/v1/series')).status).toBe(405);
    expect((await send(intake.url, '/api/v1/validate')).json).toEqual({ valid: true });
  });
});

describe('validation', () => {
  it('answers 403 {"errors":["Forbidden"]} without a DD-API-KEY header, unless told not to', async () => {
    await start();
    const res = await postJson(intake.url, '/api/v1/series', v1('c', [[T, 1]]), { headers: {} });
    expect([res.status, res.json]).toEqual([403, { errors: ['Forbidden'] }]);
    await intake.close();
    await start({ apiKeyRequired: false });
    expect((await postJson(intake.url, '/api/v1/series', v1('c', [[T, 1]]), { headers: {} })).status).toBe(
      202,
    );
  });

  it.each([
    ['not JSON', '{"series":['],
    ['no series array', '{"metric":"c"}'],
    ['a bad metric name', JSON.stringify(v1('1bad-name', [[T, 1]]))],
    ['an empty metric name', JSON.stringify(v1('', [[T, 1]]))],
    ['a non-numeric value', JSON.stringify(v1('c', [[T, 'x' as unknown as number]]))],
    ['a bad type', JSON.stringify(v1('c', [[T, 1]], { type: 'histogram' }))],
    ['non-string tags', JSON.stringify(v1('c', [[T, 1]], { tags: [1] }))],
    ['a metric name over 200 characters', JSON.stringify(v1(`m${'x'.repeat(200)}`, [[T, 1]]))],
    ['a tag over 200 characters', JSON.stringify(v1('c', [[T, 1]], { tags: [`a:${'x'.repeat(199)}`] }))],
    ['a 1 MB tag', JSON.stringify(v1('c', [[T, 1]], { tags: [`a:${'x'.repeat(1e6)}`] }))],
    [
      'over 1000 tags',
      JSON.stringify(v1('c', [[T, 1]], { tags: Array.from({ length: 1001 }, (_, i) => `t:${i}`) })),
    ],
    ['an infinite value', `{"series":[{"metric":"c","points":[[${T},1e400]]}]}`],
    [
      'nesting 100 deep',
      `{"series":[{"metric":"c","points":[[${T},1]],"x":${'['.repeat(100)}${']'.repeat(100)}}]}`,
    ],
    ['a distribution type', JSON.stringify(v1('c', [[T, 1]], { type: 'distribution' }))],
  ])('answers 400 with {"errors":[...]} for %s', async (_, body) => {
    await start();
    const res = await send(intake.url, '/api/v1/series', body, { encoding: 'deflate' });
    expect(res.status).toBe(400);
    expect((res.json as { errors: string[] }).errors.length).toBeGreaterThan(0);
    expect(intake.received().counts.rejected).toEqual({ 400: 1 });
  });

  it('refuses a request as a whole: nothing of a partly bad payload is stored', async () => {
    await start();
    const body = { series: [v1('good', [[T, 1]]).series[0], { metric: 'bad name', points: [[T, 1]] }] };
    const res = await postJson(intake.url, '/api/v1/series', body);
    expect(res.status).toBe(400);
    expect((res.json as { errors: string[] }).errors[0]).toMatch(/series\[1\].*invalid metric name/);
    expect(intake.received().series).toEqual([]);
  });

  it('answers 400 for a body that is not valid deflate, 415 for an unknown encoding', async () => {
    await start();
    const garbage = Buffer.from('definitely not zlib');
    expect((await send(intake.url, '/api/v1/series', garbage, { encoding: 'deflate' })).status).toBe(400);
    expect((await send(intake.url, '/api/v1/series', garbage, { encoding: 'br' })).status).toBe(415);
  });

  it('ignores points outside the window at arrival (1 h back, 10 min ahead), answers 202, counts them', async () => {
    await start();
    const now = T + 5;
    const points: [number, number][] = [
      [now - 3601, 1],
      [now - 3600, 2],
      [now + 600, 3],
      [now + 601, 4],
      [now * 1000, 5], // milliseconds by mistake: far in the future
    ];
    expect((await postJson(intake.url, '/api/v1/series', v1('w', points))).status).toBe(202);
    const d = { series: [{ metric: 'd', points: [[now - 7200, [1, 2]]] }] };
    expect((await postJson(intake.url, '/api/v1/distribution_points', d)).status).toBe(202);
    const snap = intake.received();
    expect(snap.series[0]!.points).toEqual([
      [now - 3600, 2],
      [now + 600, 3],
    ]);
    expect(snap.distributions).toEqual([]);
    expect(snap.counts.ignoredPoints).toEqual({ past: 3, future: 2 });
  });
});

describe('what is kept', () => {
  it('holds the last write per series and timestamp, counting overwrites', async () => {
    await start();
    await postJson(intake.url, '/api/v1/series', v1('c', [[T, 3]], { tags: ['b:2', 'a:1'] }));
    await postJson(intake.url, '/api/v1/series', v1('c', [[T, 5]], { tags: ['a:1', 'b:2'] }), {
      encoding: 'gzip',
    });
    await postJson(intake.url, '/api/v1/series', v1('c', [[T - 10, 1]], { tags: ['a:1', 'b:2'] }));
    await postJson(intake.url, '/api/v1/series', v1('c', [[T, 7]], { type: 'gauge' }));
    const [count, gauge] = intake.received().series;
    expect(count).toMatchObject({
      type: 'count',
      tags: ['a:1', 'b:2'],
      points: [
        [T - 10, 1],
        [T, 5],
      ],
      writes: 3,
      overwrites: 1,
    });
    expect(gauge).toMatchObject({ type: 'gauge', tags: [], points: [[T, 7]] });
  });

  it('lists only the series written after a version with ?since=, and says when a reader must start over', async () => {
    await start({ maxSeries: 2 });
    await postJson(intake.url, '/api/v1/series', v1('a', [[T, 1]]));
    const v = intake.received().version;
    await postJson(intake.url, '/api/v1/series', v1('b', [[T, 1]]));
    const delta = (await send(intake.url, `/api/received?since=${v}`)).json as ReturnType<Intake['received']>;
    expect(delta.series.map((s) => s.metric)).toEqual(['b']);
    expect(delta).toMatchObject({ since: v, resetAt: 0 });
    await postJson(intake.url, '/api/v1/series', v1('c', [[T, 1]])); // evicts a
    const after = intake.received(delta.version);
    expect(after.series.map((s) => s.metric)).toEqual(['c']);
    expect(after.resetAt).toBeGreaterThan(delta.version);
  });

  it('stays bounded: evicts the least recently written series and the oldest points, counting them', async () => {
    await start({ maxSeries: 3, maxPoints: 10 });
    for (let i = 0; i < 5; i++) await postJson(intake.url, '/api/v1/series', v1(`s${i}`, [[T, i]]));
    let snap = intake.received();
    expect(snap.series.map((s) => s.metric)).toEqual(['s2', 's3', 's4']);
    expect(snap.counts.evicted).toMatchObject({ series: 2, points: 2 });
    const many = Array.from({ length: 12 }, (_, i): [number, number] => [T - 100 + i, i]);
    await postJson(intake.url, '/api/v1/series', v1('big', many));
    snap = intake.received();
    const stored = snap.series.reduce((n, s) => n + s.points.length, 0);
    expect(stored).toBeLessThanOrEqual(10);
    expect(snap.series.at(-1)!.points[0]).toEqual([T - 98, 2]);
    expect(snap.counts.evicted.points).toBe(2 + 3 + 2);
  });
});
