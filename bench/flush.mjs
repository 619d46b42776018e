// Child process, workload E: flush of 1,000 series (serialize + compress as each library sends it).
// Recording the 1,000 points happens before the timer starts; only the flush is timed. Bytes are what
// would go on the wire. Usage: node bench/flush.mjs <library-id>
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { deflateSync } from 'node:zlib';
import { COMBOS, cpuNs, distUrl, emit, NAME, summary } from './common.mjs';

const require = createRequire(import.meta.url);
const DIST = distUrl('index.js');
const WARMUP = 30;
const ROUNDS = 150;
const T = Math.floor(Date.now() / 10_000) * 10_000;

/**
 * Runs `prepare()` untimed then `flush()` timed, ROUNDS times after WARMUP; returns ms (CPU time of the
 * process, see common.mjs; wall time alongside) and bytes. Every step here is CPU work (no I/O).
 */
async function measure(prepare, flush) {
  const ms = [];
  const wall = [];
  let bytes = 0;
  for (let r = 0; r < WARMUP + ROUNDS; r++) {
    await prepare();
    const c0 = cpuNs();
    const t0 = performance.now();
    bytes = await flush();
    const dt = performance.now() - t0;
    if (r >= WARMUP) {
      ms.push((cpuNs() - c0) / 1e6);
      wall.push(dt);
    }
  }
  return { ...summary(ms), bytes, wall: summary(wall), rounds: ms };
}

const libraries = {
  async floor() {
    // A bare JSON.stringify + deflate of the same payload handlerstats sends (same order), built once.
    const series = COMBOS.map((c) => ({
      metric: NAME,
      type: 'count',
      interval: 10,
      points: [[T / 1000, 1]],
      host: '',
      tags: [...c.tags].sort(),
    }));
    const key = (s) => JSON.stringify(s.tags);
    const payload = { series: series.sort((a, b) => (key(a) < key(b) ? -1 : 1)) };
    return measure(
      () => {},
      () => deflateSync(JSON.stringify(payload)).length,
    );
  },

  async handlerstats(url = DIST) {
    const { createMetrics } = await import(url);
    let bytes = 0;
    // The same work as the node:http transport up to the socket: deflate the body.
    const transport = {
      send: async (request) => {
        bytes = deflateSync(request.body).length;
        return { status: 202, bytes };
      },
    };
    const metrics = createMetrics({ apiKey: 'bench', flushInterval: 0, transport, now: () => T });
    return measure(
      () => {
        for (const c of COMBOS) metrics.increment(NAME, 1, { tags: c.tags });
      },
      async () => {
        await metrics.flush();
        return bytes;
      },
    );
  },

  async 'datadog-metrics'() {
    const { BufferedMetricsLogger } = require('datadog-metrics');
    const { v1 } = require('@datadog/datadog-api-client');
    let bytes = 0;
    // What its DatadogReporter does before the socket (it sends uncompressed JSON).
    const reporter = {
      report: async (series) => {
        const body = v1.ObjectSerializer.stringify(
          v1.ObjectSerializer.serialize({ series }, 'MetricsPayload', ''),
          'application/json',
        );
        bytes = Buffer.byteLength(body);
      },
    };
    const logger = new BufferedMetricsLogger({ flushIntervalSeconds: 0, reporter });
    return measure(
      () => {
        for (const c of COMBOS) logger.increment(NAME, 1, c.tags, T);
      },
      async () => {
        await logger.flush();
        return bytes;
      },
    );
  },

  async 'hot-shots'() {
    // No flush step: every call is formatted and sent as its own datagram. Bytes only.
    const StatsD = require('hot-shots');
    const client = new StatsD({ mock: true });
    for (const c of COMBOS) client.increment(NAME, 1, c.tags);
    const bytes = client.mockBuffer.reduce((n, line) => n + Buffer.byteLength(line), 0);
    return { median: null, min: null, max: null, n: 0, bytes, note: 'no flush step (one datagram per call)' };
  },

  async powertools() {
    const { Metrics, MetricUnit } = await import('@aws-lambda-powertools/metrics');
    const silent = { debug() {}, info() {}, warn() {}, error() {}, log() {} };
    const metrics = new Metrics({ namespace: 'bench', serviceName: 'bench', logger: silent });
    let bytes = 0;
    const sink = { ...silent, log: (s) => (bytes += Buffer.byteLength(s) + 1) };
    // One EMF document per dimension set: 1,000 series with their own tags are 1,000 documents.
    return measure(
      () => {
        bytes = 0;
      },
      () => {
        for (const c of COMBOS) {
          const single = metrics.singleMetric();
          single.console = sink;
          single.addDimensions({ env: c.values[0], region: c.values[1], shard: c.values[2] });
          single.addMetric(NAME, MetricUnit.Count, 1);
        }
        return bytes;
      },
    );
  },

  async otel() {
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
    // collect() + JSON of the collected data: a lower bound of an OTLP/JSON export (no exporter installed).
    return measure(
      () => {
        for (const c of COMBOS) counter.add(1, { env: c.values[0], region: c.values[1], shard: c.values[2] });
      },
      async () => {
        const { resourceMetrics } = await reader.collect();
        return Buffer.byteLength(JSON.stringify(resourceMetrics));
      },
    );
  },
};

// 0.1 (bench/baseline.mjs), the same calls.
libraries['handlerstats-0.1'] = () =>
  process.env.BENCH_BASELINE_DIR === undefined
    ? undefined
    : libraries.handlerstats(pathToFileURL(join(process.env.BENCH_BASELINE_DIR, 'index.js')).href);

const id = process.argv[2];
const run = libraries[id === 'floor-key' ? 'floor' : id];
const result = run === undefined ? undefined : await run();
emit(result === undefined ? { id, workload: 'E', skipped: true } : { id, workload: 'E', ...result });
