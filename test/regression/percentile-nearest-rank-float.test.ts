import { expect, it } from 'vitest';
import { createMetrics } from '../../src/index.js';
import { createMemoryTransport } from '../../src/testing.js';
import { testClock } from '../helpers/clock.js';
import { seriesOf } from '../helpers/wire.js';

// rank = ceil(p * n) in floating point: 0.55 * 100 = 55.00000000000001 → rank 56 (also 0.07, 0.14, 0.28,
// 0.56, 0.68 … for many n). Nearest rank is sorted[ceil(p*n) - 1] with exact arithmetic.
it('nearest-rank percentile is exact for p = 0.55, n = 100', async () => {
  const transport = createMemoryTransport();
  const metrics = createMetrics({
    transport,
    now: testClock(),
    flushInterval: 0,
    onError: () => {},
    histogramPercentiles: [0.55],
  });
  for (let v = 1; v <= 100; v++) metrics.histogram('h', v);
  await metrics.flush();
  const p55 = seriesOf(transport.requests).find((s) => s.metric === 'h.55percentile');
  expect(p55?.points[0]?.[1]).toBe(55);
});
