// `createMetrics({ env })` takes the `interface Env` that `wrangler types` generates (no index signature,
// bindings that are not strings), and reads only its string values.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { createMetrics, type MetricsOptions } from '../../src/index.js';
import { createMemoryTransport } from '../../src/testing.js';
import { T0, testClock } from '../helpers/clock.js';
import { seriesOf } from '../helpers/wire.js';

interface KVNamespaceLike {
  get(key: string): Promise<string | null>;
}
/** As `wrangler types` writes it: an interface, so no implicit index signature. */
interface Env {
  DD_TAGS: string;
  DD_ENV: string;
  DD_SERVICE: number;
  MY_KV: KVNamespaceLike;
  QUEUE: { send(body: unknown): Promise<void> };
}

describe('MetricsOptions.env', () => {
  it('accepts any object (an interface, process.env, a plain record) and nothing else', () => {
    expectTypeOf<Env>().toExtend<NonNullable<MetricsOptions['env']>>();
    expectTypeOf<NodeJS.ProcessEnv>().toExtend<NonNullable<MetricsOptions['env']>>();
    expectTypeOf<Record<string, string>>().toExtend<NonNullable<MetricsOptions['env']>>();
    expectTypeOf<string>().not.toExtend<NonNullable<MetricsOptions['env']>>();
    expectTypeOf<number>().not.toExtend<NonNullable<MetricsOptions['env']>>();
  });

  it('reads the string values only: bindings and non-string values are ignored', async () => {
    const transport = createMemoryTransport();
    const env: Env = {
      DD_TAGS: 'team:checkout',
      DD_ENV: 'prod',
      DD_SERVICE: 42, // not a string: read as unset
      MY_KV: { get: async () => null },
      QUEUE: { send: async () => {} },
    };
    const metrics = createMetrics({ env, transport, now: testClock(), flushInterval: 0, onError: () => {} });
    metrics.increment('orders');
    await metrics.flush();
    expect(seriesOf(transport.requests)).toMatchObject([
      { metric: 'orders', points: [[T0, 1]], tags: ['env:prod', 'team:checkout'] },
    ]);
  });
});
