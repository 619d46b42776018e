import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  type BoundCount,
  type BoundDistribution,
  type BoundGauge,
  type BoundHistogram,
  createMetrics,
  type Metrics,
} from '../../src/index.js';
import { createMemoryTransport } from '../../src/testing.js';
import { T0, testClock } from '../helpers/clock.js';
import { lastWriteWins, seriesOf } from '../helpers/wire.js';

const setup = () => {
  const transport = createMemoryTransport();
  const metrics = createMetrics({ transport, now: testClock(), flushInterval: 0, onError: () => {} });
  return { transport, metrics, stored: () => lastWriteWins(seriesOf(transport.requests)) };
};

describe('bound instruments', () => {
  it('write to exactly the series the plain call with the same name and tags writes to', async () => {
    const { metrics, stored } = setup();
    const orders = metrics.bindCount('orders', { tags: ['plan:pro'] });
    orders.add();
    orders.add(3);
    metrics.increment('orders', 2, { tags: ['plan:pro'] });
    metrics.bindGauge('depth').set(7);
    metrics.bindHistogram('lat').record(5);
    metrics.bindDistribution('bytes').record(512);
    await metrics.flush();
    expect(stored().get('orders{plan:pro}')?.get(T0)).toBe(6);
    expect(stored().get('depth{}')?.get(T0)).toBe(7);
    expect(stored().get('lat.max{}')?.get(T0)).toBe(5);
  });

  it('release() lets a per-request binding go: 10,000 of them leave nothing behind', async () => {
    const { metrics } = setup();
    for (let i = 0; i < 10_000; i++) {
      const b = metrics.bindCount('requests', { tags: [`request:${i}`] });
      b.add();
      b.release();
    }
    await metrics.flush();
    // Sent counts are kept for the bucket's merge (records); the series themselves are not pinned.
    const held = metrics.stats();
    expect(held.series).toBe(10_000);
    const unreleased = metrics.bindCount('kept');
    expect(metrics.stats().series).toBe(10_001); // a bound series exists before its first point
    unreleased.release();
    expect(metrics.stats().series).toBe(10_000);
  });

  it('a released instrument still records, the plain way', async () => {
    const { metrics, stored } = setup();
    const b = metrics.bindCount('c');
    b.release();
    b.add(2);
    await metrics.flush();
    expect(stored().get('c{}')?.get(T0)).toBe(2);
  });

  it('the 0.1 names stay as deprecated aliases, with the right types', () => {
    const { metrics } = setup();
    expectTypeOf(metrics.bindCount('a')).toEqualTypeOf<BoundCount>();
    expectTypeOf(metrics.bindGauge('a')).toEqualTypeOf<BoundGauge>();
    expectTypeOf(metrics.bindHistogram('a')).toEqualTypeOf<BoundHistogram>();
    expectTypeOf(metrics.bindDistribution('a')).toEqualTypeOf<BoundDistribution>();
    expectTypeOf(metrics.counter('a')).toEqualTypeOf<BoundCount>();
    expectTypeOf(metrics.boundDistribution('a')).toEqualTypeOf<BoundDistribution>();
    expect(metrics.counter).toBe(metrics.bindCount);
    expect(metrics.boundGauge).toBe(metrics.bindGauge);
  });
});

describe('withTags', () => {
  it('adds its tags to every call of the view: metrics, bound instruments, events', async () => {
    const { metrics, transport, stored } = setup();
    const view = metrics.withTags({ route: '/cart' });
    view.increment('requests');
    view.increment('requests', 1, { tags: ['status:200'] });
    view.increment('requests', 1, { tags: { status: 500 } });
    view.bindCount('bound').add(4);
    view.withTags(['region:eu']).gauge('depth', 3);
    view.event('Checked out');
    metrics.increment('requests'); // the client itself adds nothing
    await view.flush(); // flushes the one shared buffer
    const s = stored();
    expect(s.get('requests{route:/cart}')?.get(T0)).toBe(1);
    expect(s.get('requests{route:/cart,status:200}')?.get(T0)).toBe(1);
    expect(s.get('requests{route:/cart,status:500}')?.get(T0)).toBe(1);
    expect(s.get('bound{route:/cart}')?.get(T0)).toBe(4);
    expect(s.get('depth{region:eu,route:/cart}')?.get(T0)).toBe(3);
    expect(s.get('requests{}')?.get(T0)).toBe(1);
    const event = transport.requests.find((r) => r.path === '/api/v1/events')?.body as { tags: string[] };
    expect(event.tags).toEqual(['route:/cart']);
    expect(view.stats()).toEqual(metrics.stats());
  });

  it('a view is a Metrics', () => {
    const { metrics } = setup();
    expectTypeOf(metrics.withTags(['a:b'])).toEqualTypeOf<Metrics>();
  });
});
