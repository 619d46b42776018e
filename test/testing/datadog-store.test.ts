// storeLikeDatadog: the rules by hand, then against the local intake (which stores like Datadog) for
// random request sequences: both must hold the same series, values, overwrites and type conflicts.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/index.js';
import { type Intake, startIntake } from '../../src/intake/index.js';
import { createMemoryTransport, storeLikeDatadog } from '../../src/testing.js';
import { T0, testClock } from '../helpers/clock.js';

const series = (entries: unknown[]) => ({ path: '/api/v1/series', body: { series: entries } });
const dist = (entries: unknown[]) => ({ path: '/api/v1/distribution_points', body: { series: entries } });

describe('storeLikeDatadog', () => {
  it('keys series by name, host and sorted tags, not by type: the last write per timestamp wins', () => {
    const stored = storeLikeDatadog([
      series([{ metric: 'orders', type: 'count', points: [[T0, 2]], tags: ['b:2', 'a:1'], host: '' }]),
      series([
        {
          metric: 'orders',
          type: 'gauge',
          points: [
            [T0, 7],
            [T0 + 10, 1],
          ],
          tags: ['a:1', 'b:2', 'a:1'],
        },
      ]),
      series([{ metric: 'orders', type: 'count', points: [[T0, 3]], tags: ['a:1'], host: 'web-1' }]),
    ]);
    expect(stored.series).toEqual([
      {
        metric: 'orders',
        host: '',
        tags: ['a:1', 'b:2'],
        type: 'gauge',
        types: ['count', 'gauge'],
        points: [
          [T0, 7],
          [T0 + 10, 1],
        ],
        writes: 3,
        overwrites: 1,
      },
      {
        metric: 'orders',
        host: 'web-1',
        tags: ['a:1'],
        type: 'count',
        types: ['count'],
        points: [[T0, 3]],
        writes: 1,
        overwrites: 0,
      },
    ]);
    expect(stored.overwrites).toBe(1);
    expect(stored.typeConflicts).toEqual(['orders']);
    expect(stored.value('orders', T0, { tags: ['b:2', 'a:1'] })).toBe(7);
    expect(stored.value('orders', T0, { tags: ['a:1'], host: 'web-1' })).toBe(3);
    expect(stored.value('orders', T0)).toBeUndefined();
  });

  it('adds distribution values up; reads v2 series (resources, numbered types) and events', () => {
    const stored = storeLikeDatadog([
      dist([{ metric: 'size', points: [[T0, [1, 2]]], tags: [] }]),
      dist([
        {
          metric: 'size',
          points: [
            [T0, [3]],
            [T0 + 10, [4]],
          ],
          tags: [],
        },
      ]),
      {
        path: '/api/v2/series',
        body: {
          series: [
            {
              metric: 'size',
              type: 3,
              points: [{ timestamp: T0, value: 9 }],
              resources: [{ type: 'host', name: 'h' }],
            },
          ],
        },
      },
      { path: '/api/v1/events', body: { title: 'Deploy', text: 'v42' } },
    ]);
    expect(stored.distributions).toEqual([
      {
        metric: 'size',
        host: '',
        tags: [],
        points: [
          [T0, [1, 2, 3]],
          [T0 + 10, [4]],
        ],
      },
    ]);
    expect(stored.values('size', T0)).toEqual([1, 2, 3]);
    expect(stored.value('size', T0, { host: 'h' })).toBe(9);
    expect(stored.series[0]).toMatchObject({ type: 'gauge', host: 'h' });
    expect(stored.typeConflicts).toEqual(['size']); // a distribution and a gauge of one name
    expect(stored.events).toEqual([{ title: 'Deploy', text: 'v42' }]);
  });

  it("holds a bucket's total after the client re-sent it merged (the memory transport's records)", async () => {
    const transport = createMemoryTransport();
    const metrics = createMetrics({ transport, now: testClock(), flushInterval: 0, onError: () => {} });
    metrics.increment('orders', 2, { tags: { plan: 'pro' } });
    await metrics.flush();
    metrics.increment('orders', 3, { tags: { plan: 'pro' } });
    metrics.distribution('bytes', 10);
    await metrics.flush();
    metrics.distribution('bytes', 20);
    await metrics.flush();
    const stored = storeLikeDatadog(transport.requests);
    expect(stored.value('orders', T0, { tags: ['plan:pro'] })).toBe(5);
    expect(stored.overwrites).toBe(1);
    expect(stored.values('bytes', T0)).toEqual([10, 20]);
  });
});

describe('storeLikeDatadog agrees with the local intake', () => {
  let intake: Intake;
  beforeAll(async () => {
    intake = await startIntake({ quiet: true, now: () => T0 * 1000 });
  });
  afterAll(() => intake.close());

  const tags = fc.subarray(['a:1', 'b:2', 'c:3']).chain((t) => fc.shuffledSubarray([...t, ...t]));
  const point = fc.tuple(fc.constantFrom(T0 - 10, T0, T0 + 10), fc.integer({ min: -5, max: 50 }));
  const identity = { metric: fc.constantFrom('a', 'b', 'c'), host: fc.constantFrom('', 'web-1'), tags };
  const v1 = fc.record({
    ...identity,
    type: fc.constantFrom('count', 'gauge', 'rate', undefined),
    points: fc.array(point, { minLength: 1, maxLength: 3 }),
  });
  const v2 = fc.record({
    metric: identity.metric,
    tags,
    type: fc.constantFrom(0, 1, 2, 3),
    resources: fc.constantFrom([], [{ type: 'host', name: 'web-1' }]),
    points: fc.array(
      point.map(([timestamp, value]) => ({ timestamp, value })),
      { minLength: 1, maxLength: 3 },
    ),
  });
  const distribution = fc.record({
    ...identity,
    points: fc.array(
      fc.tuple(
        point.map(([t]) => t),
        fc.array(fc.integer(), { minLength: 1, maxLength: 3 }),
      ),
      {
        minLength: 1,
        maxLength: 2,
      },
    ),
  });
  const request = fc.oneof(
    fc
      .array(v1, { minLength: 1, maxLength: 3 })
      .map((s) => ({ path: '/api/v1/series', body: { series: s } })),
    fc
      .array(v2, { minLength: 1, maxLength: 3 })
      .map((s) => ({ path: '/api/v2/series', body: { series: s } })),
    fc
      .array(distribution, { minLength: 1, maxLength: 2 })
      .map((s) => ({ path: '/api/v1/distribution_points', body: { series: s } })),
  );

  it('for random sequences of v1, v2 and distribution requests', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: 1, maxLength: 8 }), async (requests) => {
        intake.clear();
        for (const { path, body } of requests) {
          const res = await fetch(intake.url + path, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', 'DD-API-KEY': 'test' },
            body: JSON.stringify(body),
          });
          expect(res.status).toBe(202);
        }
        const received = intake.received();
        const stored = storeLikeDatadog(requests);
        const order = <T extends { metric: string; host: string; tags: string[] }>(list: T[]) =>
          [...list].sort((a, b) =>
            JSON.stringify([a.metric, a.host, a.tags]) < JSON.stringify([b.metric, b.host, b.tags]) ? -1 : 1,
          );
        expect(stored.series).toEqual(
          order(received.series).map(({ metric, host, tags, type, types, points, writes, overwrites }) => ({
            metric,
            host,
            tags,
            type,
            types,
            points,
            writes,
            overwrites,
          })),
        );
        expect(stored.distributions).toEqual(
          order(received.distributions).map(({ metric, host, tags, points }) => ({
            metric,
            host,
            tags,
            points,
          })),
        );
        const conflicted = [...received.series, ...received.distributions].filter((s) => s.typeConflict);
        expect(stored.typeConflicts.sort()).toEqual([...new Set(conflicted.map((s) => s.metric))].sort());
      }),
      { numRuns: 60 },
    );
  });
});
