import { expect, it } from 'vitest';
import { createMetrics } from '../../src/index.js';
import { createMemoryTransport } from '../../src/testing.js';

const transport = createMemoryTransport();

// 0.1 accepted configurations under which every point expired before it could be sent.
it('refuses maxPastSeconds below rollupInterval', () => {
  expect(() => createMetrics({ transport, rollupInterval: 60, maxPastSeconds: 30 })).toThrow(
    /maxPastSeconds/,
  );
});

it('refuses a rollupInterval so long that the timer would only ever send expired buckets', () => {
  expect(() => createMetrics({ transport, rollupInterval: 3600, flushInterval: 10 })).toThrow(
    /flushInterval/,
  );
  expect(() => createMetrics({ transport, rollupInterval: 3000, flushInterval: 700 })).toThrow(RangeError);
});

it('accepts the edge: the last closed bucket is still inside the window when the timer sends it', () => {
  expect(() => createMetrics({ transport, rollupInterval: 1800, flushInterval: 1800 })).not.toThrow();
  expect(() => createMetrics({ transport, rollupInterval: 3600, flushInterval: 0 })).not.toThrow();
});
