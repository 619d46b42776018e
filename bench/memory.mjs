// Child process (run with --expose-gc), workload F: heap retained per series-bucket. A fresh client
// records one point for each of 1,000 series (fresh tags arrays of pre-existing strings, as handler code
// passes them), then flushes to a stub. Bytes per series after recording and after the flush (handlerstats
// keeps its sent records for the cross-flush merge, so those are counted). The client's own fixed cost is
// not counted; its tables' growth is. A throwaway client warms the code first; median of 15 clients.
// Usage: node --expose-gc bench/memory.mjs <library-id>
import { createRequire } from 'node:module';
import { getHeapSpaceStatistics } from 'node:v8';
import { distUrl, emit, median, NAME } from './common.mjs';

const require = createRequire(import.meta.url);
const DIST = distUrl('index.js');
const N = 1000;
const combos = Array.from({ length: N }, (_, i) => {
  const values = ['prod', `r${i % 10}`, `s${i}`];
  return { tags: [`env:${values[0]}`, `region:${values[1]}`, `shard:${values[2]}`], values };
});

/** Used bytes of the data spaces after full GCs (code spaces excluded: compiled code is per process). */
function heap() {
  for (let i = 0; i < 4; i++) globalThis.gc();
  let used = 0;
  for (const s of getHeapSpaceStatistics()) if (!s.space_name.startsWith('code')) used += s.space_used_size;
  return used;
}

const libraries = {
  floor: async () => {
    const m = new Map();
    return {
      record: (c) => {
        const tags = [c.tags[0], c.tags[1], c.tags[2]];
        const k = `${NAME}|${tags.join(',')}`;
        m.set(k, (m.get(k) ?? 0) + 1);
      },
      flush: () => {},
      keep: m,
    };
  },
  handlerstats: async () => {
    const { createMetrics } = await import(DIST);
    const metrics = createMetrics({
      apiKey: 'bench',
      flushInterval: 0,
      transport: { send: async () => ({ status: 202 }) },
    });
    return {
      record: (c) => metrics.increment(NAME, 1, { tags: [c.tags[0], c.tags[1], c.tags[2]] }),
      flush: () => metrics.flush(),
      keep: metrics,
    };
  },
  'datadog-metrics': async () => {
    const { BufferedMetricsLogger } = require('datadog-metrics');
    const logger = new BufferedMetricsLogger({
      flushIntervalSeconds: 0,
      reporter: { report: async () => {} },
    });
    return {
      record: (c) => logger.increment(NAME, 1, [c.tags[0], c.tags[1], c.tags[2]]),
      flush: () => logger.flush(),
      keep: logger,
    };
  },
  otel: async () => {
    const { MeterProvider, MetricReader, AggregationTemporality } = await import(
      '@opentelemetry/sdk-metrics'
    );
    class ManualReader extends MetricReader {
      constructor() {
        super({ aggregationTemporalitySelector: () => AggregationTemporality.DELTA });
      }
      async onForceFlush() {}
      async onShutdown() {}
    }
    const reader = new ManualReader();
    const provider = new MeterProvider({ readers: [reader] });
    const counter = provider.getMeter('bench').createCounter(NAME);
    return {
      record: (c) => counter.add(1, { env: c.values[0], region: c.values[1], shard: c.values[2] }),
      flush: () => reader.collect(),
      keep: provider,
    };
  },
};

const id = process.argv[2] === 'floor-key' ? 'floor' : process.argv[2];
const factory = libraries[id];
if (factory === undefined) {
  const why = {
    'hot-shots': 'no buffer: one datagram per call',
    powertools: 'no aggregation: values kept per EMF document until published',
  };
  emit({ id: process.argv[2], workload: 'F', skipped: true, note: why[id] });
} else {
  const warm = await factory();
  for (const c of combos) warm.record(c);
  await warm.flush();
  const kept = [];
  const recorded = [];
  const flushed = [];
  for (let r = 0; r < 15; r++) {
    const lib = await factory();
    kept.push(lib);
    const base = heap();
    for (const c of combos) lib.record(c);
    recorded.push((heap() - base) / N);
    await lib.flush();
    flushed.push((heap() - base) / N);
  }
  emit({
    id: process.argv[2],
    workload: 'F',
    recorded: median(recorded),
    afterFlush: median(flushed),
    perSeries: Math.max(median(recorded), median(flushed)),
    spread: [Math.min(...flushed), Math.max(...flushed)],
  });
}
