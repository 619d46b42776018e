import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/index.js';
import { type Intake, type ReceivedSnapshot, renderTable, startIntake } from '../../src/intake/index.js';
import { postJson, send } from '../helpers/intake-http.js';

// DESIGN §15: the local intake stores like Datadog — series keyed by (name, host, sorted tags,
// timestamp), not by type; one value per series and timestamp for counts and gauges; distribution
// values added up; a name arriving with two types counted and shown.

const T = 1_700_000_000;
let intake: Intake;
async function start(options: Parameters<typeof startIntake>[0] = {}): Promise<Intake> {
  intake = await startIntake({ quiet: true, now: () => (T + 5) * 1000, ...options });
  return intake;
}
afterEach(async () => {
  await intake?.close();
});

type V1 = { metric: string; type?: string; points: [number, number][]; host?: string; tags?: string[] };
const v1 = (...series: V1[]) => postJson(intake.url, '/api/v1/series', { series });
const dist = (metric: string, points: [number, number[]][], extra: Record<string, unknown> = {}) =>
  postJson(intake.url, '/api/v1/distribution_points', { series: [{ metric, points, ...extra }] });

describe('series are keyed by name, host and tags — not by type', () => {
  it('a count and a gauge of one name, host and tags overwrite each other: the last write is kept', async () => {
    await start();
    expect((await v1({ metric: 'c', type: 'count', points: [[T, 3]], tags: ['b:2', 'a:1'] })).status).toBe(
      202,
    );
    expect((await v1({ metric: 'c', type: 'gauge', points: [[T, 7]], tags: ['a:1', 'b:2'] })).status).toBe(
      202,
    );
    const snap = intake.received();
    expect(snap.series).toHaveLength(1);
    expect(snap.series[0]).toMatchObject({
      metric: 'c',
      type: 'gauge',
      types: ['count', 'gauge'],
      typeConflict: true,
      tags: ['a:1', 'b:2'],
      points: [[T, 7]],
      writes: 2,
      overwrites: 1,
    });
    expect(snap.counts.typeConflicts).toBe(1);
  });

  it('counts a name that arrives with two types once, and flags every series of that name', async () => {
    await start();
    await v1({ metric: 'x', type: 'count', points: [[T, 1]], tags: ['a:1'] });
    await v1({ metric: 'x', type: 'gauge', points: [[T, 2]], tags: ['a:2'] });
    await v1({ metric: 'x', type: 'rate', points: [[T, 3]], tags: ['a:3'] });
    await v1(
      { metric: 'y', type: 'count', points: [[T, 1]] },
      { metric: 'y', type: 'count', points: [[T - 10, 1]] },
    );
    const snap = intake.received();
    expect(snap.series.map((s) => [s.metric, s.tags, s.typeConflict])).toEqual([
      ['x', ['a:1'], true],
      ['x', ['a:2'], true],
      ['x', ['a:3'], true],
      ['y', [], false],
    ]);
    expect(snap.counts.typeConflicts).toBe(1);
  });

  it('a name sent both as a series and as a distribution is a conflict, shown on both', async () => {
    await start();
    await v1({ metric: 'lat', type: 'gauge', points: [[T, 1]] });
    expect(intake.received().series[0]!.typeConflict).toBe(false);
    expect((await dist('lat', [[T, [1, 2]]])).status).toBe(202);
    const snap = intake.received();
    expect(snap.series[0]!.typeConflict).toBe(true);
    expect(snap.distributions[0]!.typeConflict).toBe(true);
    expect(snap.counts.typeConflicts).toBe(1);
  });

  it('a reader of deltas hears of a conflict on series written before it', async () => {
    await start();
    await v1({ metric: 'x', type: 'count', points: [[T, 1]], tags: ['a:1'] });
    const v = intake.received().version;
    await v1({ metric: 'x', type: 'gauge', points: [[T, 2]], tags: ['a:2'] });
    const delta = intake.received(v);
    expect(delta.series.map((s) => [s.tags, s.typeConflict])).toEqual([
      [['a:1'], true],
      [['a:2'], true],
    ]);
  });

  it('v2 type 0 (unspecified) conflicts with nothing; v1 without a type is a gauge', async () => {
    await start();
    const v2 = { series: [{ metric: 'u', type: 0, points: [{ timestamp: T, value: 1 }] }] };
    expect((await postJson(intake.url, '/api/v2/series', v2)).status).toBe(202);
    await v1({ metric: 'u', points: [[T, 2]] });
    const [u] = intake.received().series;
    expect(u).toMatchObject({ type: 'gauge', types: ['gauge', 'unspecified'], typeConflict: false });
    expect(intake.received().counts.typeConflicts).toBe(0);
  });

  it('host and every tag are part of the identity; tags holding "," or "|" cannot collide', async () => {
    await start();
    await v1(
      { metric: 'h', points: [[T, 1]], host: 'a' },
      { metric: 'h', points: [[T, 2]], host: 'b' },
      { metric: 'h', points: [[T, 3]], tags: ['a,b'] },
      { metric: 'h', points: [[T, 4]], tags: ['a', 'b'] },
      { metric: 'h', points: [[T, 5]], tags: ['a|b'] },
    );
    const values = intake
      .received()
      .series.map((s) => s.points[0]![1])
      .sort();
    expect(values).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('distributions are added up', () => {
  it('keeps every value from many real senders in one bucket, with count, sum, min and max', async () => {
    await start({ now: Date.now });
    const senders = Array.from({ length: 12 }, () =>
      createMetrics({ intakeUrl: intake.url, apiKey: 'k', flushInterval: 0, env: {}, host: 'h' }),
    );
    const t = Math.floor(Date.now() / 1000 / 10) * 10;
    const sent: number[] = [];
    senders.forEach((m, i) => {
      for (let k = 0; k < 25; k++) {
        const v = i * 100 + k * 0.5;
        sent.push(v);
        m.distribution('checkout.latency', v, { timestamp: t, tags: ['route:/pay'] });
      }
    });
    await Promise.all(senders.map((m) => m.close()));
    const [d] = intake.received().distributions;
    expect(d).toMatchObject({ metric: 'checkout.latency', host: 'h', tags: ['route:/pay'], timestamps: 1 });
    expect(d!.values).toBe(300);
    expect([...d!.points[0]![1]].sort((a, b) => a - b)).toEqual([...sent].sort((a, b) => a - b));
    expect(d!.stats).toEqual([
      {
        timestamp: t,
        count: 300,
        sum: sent.reduce((a, b) => a + b, 0),
        min: 0,
        max: 11 * 100 + 24 * 0.5,
      },
    ]);
  });

  it('keeps values per timestamp; stats follow each timestamp', async () => {
    await start();
    await dist('d', [
      [T, [1, 5]],
      [T - 10, [2]],
    ]);
    await dist('d', [[T, [-3]]]);
    const [d] = intake.received().distributions;
    expect(d!.points).toEqual([
      [T - 10, [2]],
      [T, [1, 5, -3]],
    ]);
    expect(d!.stats.map((s) => [s.timestamp, s.count, s.sum, s.min, s.max])).toEqual([
      [T - 10, 1, 2, 2, 2],
      [T, 3, 3, -3, 5],
    ]);
  });
});

describe('an element with more points than the write buffer (65,536) is read again once its identity is known', () => {
  it('stores every point under the tags and host that follow them', async () => {
    await start();
    const n = 150_000;
    const points = Array.from({ length: n }, (_, i) => `[${T - 3000 + i / 100},${i}]`).join(',');
    const text = `{"series":[{"metric":"big","type":"count","points":[${points}],"host":"h","tags":["z:1","a:1"]},{"metric":"after","points":[[${T},1]]}]}`;
    expect((await send(intake.url, '/api/v1/series', text, { encoding: 'deflate' })).status).toBe(202);
    const [big, after] = intake.received(-1, { points: 2 }).series;
    expect(big).toMatchObject({
      metric: 'big',
      host: 'h',
      tags: ['a:1', 'z:1'],
      type: 'count',
      timestamps: n,
      writes: n,
    });
    expect(big!.points).toEqual([
      [T - 3000 + (n - 2) / 100, n - 2],
      [T - 3000 + (n - 1) / 100, n - 1],
    ]);
    expect(after).toMatchObject({ metric: 'after', points: [[T, 1]] });
    expect(intake.received().usage.series).toBe(2);
  });

  it('adds up every value of a huge distribution timestamp', async () => {
    await start();
    const n = 100_000;
    const values = Array.from({ length: n }, (_, i) => i % 7).join(',');
    const text = `{"series":[{"points":[[${T},[${values}]]],"metric":"huge","tags":["t:1"]}]}`;
    expect((await send(intake.url, '/api/v1/distribution_points', text, { encoding: 'gzip' })).status).toBe(
      202,
    );
    const [d] = intake.received(-1, { values: 3 }).distributions;
    const sum = Array.from({ length: n }, (_, i) => i % 7).reduce((a, b) => a + b, 0);
    expect(d).toMatchObject({ metric: 'huge', tags: ['t:1'], values: n, points: [[T, [0, 1, 2]]] });
    expect(d!.stats).toEqual([{ timestamp: T, count: n, sum, min: 0, max: 6 }]);
  });
});

describe('the terminal table shows it', () => {
  it('marks a type conflict with "!", shows a v2 unit, counts rejected v2 series and the bytes held', async () => {
    await start();
    await v1({ metric: 'c', type: 'count', points: [[T, 1]] });
    await v1({ metric: 'c', type: 'gauge', points: [[T, 2]], tags: ['a:1'] });
    await postJson(intake.url, '/api/v2/series', {
      series: [
        { metric: 'disk', type: 3, unit: 'byte', points: [{ timestamp: T, value: 9 }] },
        { metric: 'bad name', type: 3, points: [{ timestamp: T, value: 9 }] },
      ],
    });
    const table = renderTable(intake.received());
    expect(table).toMatch(/^c\s+count!\s+1\s/m);
    expect(table).toMatch(/^c\s+gauge!\s+a:1\s+1\s/m);
    expect(table).toMatch(/^disk\s+gauge\(byte\)\s+1\s/m);
    expect(table).toMatch(/v2 series rejected 1/);
    expect(table).toMatch(/type conflicts 1 \(! = name sent with another type too\)/);
    expect(table).toMatch(/holding 3 series, 3 points, \d+ KiB of 64\.0 MiB/);
  });
});

describe('bounded in bytes', () => {
  it('evicts the oldest points of the least recently written series past maxBytes, and counts it', async () => {
    await start({ maxBytes: 64 * 1024 });
    for (let i = 0; i < 40; i++)
      await v1({
        metric: `m${i}`,
        points: Array.from({ length: 20 }, (_, k): [number, number] => [T - k, k]),
      });
    const snap = intake.received();
    expect(snap.usage.bytes).toBeLessThanOrEqual(64 * 1024);
    expect(snap.limits.maxBytes).toBe(64 * 1024);
    expect(snap.counts.evicted.bytes).toBeGreaterThan(0);
    expect(snap.counts.evicted.points).toBeGreaterThan(0);
    expect(snap.series.at(-1)!.metric).toBe('m39');
    expect(snap.series.at(-1)!.timestamps).toBe(20); // the newest series is whole
    const stored = snap.series.reduce((n, s) => n + s.timestamps, 0);
    expect(stored + snap.counts.evicted.points).toBe(40 * 20);
  });

  it('keeps events within an eighth of maxBytes, oldest out first', async () => {
    await start({ maxBytes: 64 * 1024 });
    for (let i = 0; i < 10; i++) {
      const res = await postJson(intake.url, '/api/v1/events', { title: `e${i}`, text: 'x'.repeat(3000) });
      expect(res.status).toBe(202);
    }
    const snap = intake.received();
    expect(snap.events.length).toBeLessThan(10);
    expect(snap.events.at(-1)).toMatchObject({ title: 'e9' });
    expect(snap.counts.evicted.events).toBe(10 - snap.events.length);
  });
});

describe('the snapshot', () => {
  it('GET /api/received streams the same snapshot as received(); ?points=N keeps the last N timestamps', async () => {
    await start();
    await v1({ metric: 'p', points: Array.from({ length: 50 }, (_, k): [number, number] => [T - k, k]) });
    await dist('d', [
      [T, [1]],
      [T - 10, [2]],
      [T - 20, [3]],
    ]);
    await postJson(intake.url, '/api/v1/events', { title: 'deploy', text: 'v1' });
    const http = (await send(intake.url, '/api/received')).json as ReceivedSnapshot;
    expect(http).toEqual(intake.received());
    const cut = (await send(intake.url, '/api/received?points=2')).json as ReceivedSnapshot;
    expect(cut.series[0]).toMatchObject({
      timestamps: 50,
      points: [
        [T - 1, 1],
        [T, 0],
      ],
    });
    expect(cut.distributions[0]).toMatchObject({
      timestamps: 3,
      points: [
        [T - 10, [2]],
        [T, [1]],
      ],
    });
    expect(cut.distributions[0]!.stats.map((s) => s.timestamp)).toEqual([T - 10, T]);
    expect(intake.received(-1, { points: 1 }).series[0]!.points).toEqual([[T, 0]]);
    await dist('d', [[T, [4, 5, 6]]]);
    const few = (await send(intake.url, '/api/received?values=2&points=1')).json as ReceivedSnapshot;
    expect(few.distributions[0]).toMatchObject({ values: 6, points: [[T, [1, 4]]] });
    expect(few.distributions[0]!.stats).toEqual([{ timestamp: T, count: 4, sum: 16, min: 1, max: 6 }]);
  });

  it('shows the store and body usage and the limits', async () => {
    await start({ maxBytes: 1 << 20, maxBodyBytes: 1 << 21, maxSeries: 7, maxPoints: 9, maxEvents: 3 });
    await v1({ metric: 'a', points: [[T, 1]] });
    const snap = intake.received();
    expect(snap.limits).toEqual({
      maxSeries: 7,
      maxPoints: 9,
      maxEvents: 3,
      maxBytes: 1 << 20,
      maxBodyBytes: 1 << 21,
    });
    expect(snap.usage).toMatchObject({ series: 1, points: 1, events: 0, bodyBytes: 0 });
    expect(snap.usage.bytes).toBeGreaterThan(0);
  });
});
