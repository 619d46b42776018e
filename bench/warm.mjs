// Child process, workload H: warm flush latency. One "invocation" records 3 counts with tags, a gauge
// and a histogram (2 values), then flushes to the loopback intake (a separate process, keep-alive);
// only the flush is timed, client-side. All targets run interleaved in this one process (one invocation
// each, in turn), so drift on a shared machine hits them alike. 300 warm-up rounds, then 2,000 timed.
// Usage: node bench/warm.mjs <http-port> <udp-port> <target-id>...
import { createRequire } from 'node:module';
import { distUrl, emit, median, percentile } from './common.mjs';

const require = createRequire(import.meta.url);
const [httpPort, udpPort, ...ids] = process.argv.slice(2);
const URL_BASE = `http://127.0.0.1:${httpPort}`;
const WARMUP = 300;
const RUNS = 2000;
const TAGS = ['env:prod', 'region:eu-west-1'];

async function handlerstats(kind) {
  const { createMetrics, createFetchTransport } = await import(distUrl('index.js'));
  let transport;
  let captured;
  if (kind === 'capture')
    transport = {
      send: async (request) => {
        captured ??= request.body;
        return { status: 202 };
      },
    };
  if (kind === 'fetch') transport = createFetchTransport({ intakeUrl: URL_BASE, apiKey: 'bench' });
  if (kind === 'undici') {
    const { createUndiciTransport } = await import(distUrl('undici.js'));
    transport = createUndiciTransport({ intakeUrl: URL_BASE, apiKey: 'bench' });
  }
  const metrics = createMetrics({ apiKey: 'bench', intakeUrl: URL_BASE, flushInterval: 0, transport });
  return {
    record(i) {
      metrics.increment('orders', 1, { tags: TAGS });
      metrics.increment('orders.items', 3, { tags: TAGS });
      metrics.increment('cache.hit', 1, { tags: ['cache:l1'] });
      metrics.gauge('queue.depth', i % 50);
      metrics.histogram('latency', 10 + (i % 7), { tags: TAGS });
      metrics.histogram('latency', 20 + (i % 5), { tags: TAGS });
    },
    flush: () => metrics.flush(),
    captured: () => captured,
  };
}

const targets = {
  async floor() {
    // A bare keep-alive node:http POST of a pre-built, pre-compressed body: the very body handlerstats
    // sends for one invocation (captured once, untimed). The round trip every HTTP client pays here, with
    // no metrics work at all.
    const { Agent, request } = await import('node:http');
    const { deflateSync } = await import('node:zlib');
    const agent = new Agent({ keepAlive: true });
    const sample = await handlerstats('capture');
    sample.record(0);
    await sample.flush();
    const body = deflateSync(sample.captured());
    const headers = {
      'Content-Type': 'application/json',
      'Content-Encoding': 'deflate',
      'DD-API-KEY': 'bench',
    };
    return {
      record() {},
      flush: () =>
        new Promise((resolve, reject) => {
          const req = request(`${URL_BASE}/api/v1/series`, { method: 'POST', agent, headers });
          req.on('error', reject);
          req.on('response', (res) => res.resume().on('end', resolve));
          req.end(body);
        }),
    };
  },
  handlerstats: () => handlerstats('http'),
  'handlerstats-fetch': () => handlerstats('fetch'),
  'handlerstats-undici': () => handlerstats('undici'),
  async 'datadog-metrics'() {
    const { client, v1 } = require('@datadog/datadog-api-client');
    const { BufferedMetricsLogger } = require('datadog-metrics');
    const configuration = client.createConfiguration({
      authMethods: { apiKeyAuth: 'bench' },
      baseServer: new client.BaseServerConfiguration(URL_BASE, {}),
    });
    const api = new v1.MetricsApi(configuration);
    const logger = new BufferedMetricsLogger({
      flushIntervalSeconds: 0,
      reporter: { report: (series) => api.submitMetrics({ body: { series } }) },
    });
    return {
      record(i) {
        logger.increment('orders', 1, TAGS);
        logger.increment('orders.items', 3, TAGS);
        logger.increment('cache.hit', 1, ['cache:l1']);
        logger.gauge('queue.depth', i % 50);
        logger.histogram('latency', 10 + (i % 7), TAGS);
        logger.histogram('latency', 20 + (i % 5), TAGS);
      },
      flush: () => logger.flush(),
    };
  },
  async 'hot-shots'() {
    const StatsD = require('hot-shots');
    const statsd = new StatsD({ host: '127.0.0.1', port: Number(udpPort), maxBufferSize: 8192 });
    return {
      record(i) {
        statsd.increment('orders', 1, TAGS);
        statsd.increment('orders.items', 3, TAGS);
        statsd.increment('cache.hit', 1, ['cache:l1']);
        statsd.gauge('queue.depth', i % 50);
        statsd.histogram('latency', 10 + (i % 7), TAGS);
        statsd.histogram('latency', 20 + (i % 5), TAGS);
      },
      // The buffered lines go out as one datagram; resolved when the socket reports it sent.
      flush: () => new Promise((resolve) => statsd.flush(resolve)),
    };
  },
  async powertools() {
    const { Metrics, MetricUnit } = await import('@aws-lambda-powertools/metrics');
    const metrics = new Metrics({ namespace: 'bench', serviceName: 'bench' });
    return {
      record(i) {
        metrics.addDimensions({ env: 'prod', region: 'eu-west-1' });
        metrics.addMetric('orders', MetricUnit.Count, 1);
        metrics.addMetric('orders.items', MetricUnit.Count, 3);
        metrics.addMetric('cache.hit', MetricUnit.Count, 1);
        metrics.addMetric('queue.depth', MetricUnit.Count, i % 50);
        metrics.addMetric('latency', MetricUnit.Milliseconds, 10 + (i % 7));
        metrics.addMetric('latency', MetricUnit.Milliseconds, 20 + (i % 5));
      },
      // EMF on stdout (a pipe the parent drains), as Lambda's log capture reads it.
      flush: async () => metrics.publishStoredMetrics(),
    };
  },
  async otel() {
    const { request, Agent } = await import('node:http');
    const { AggregationTemporality, MeterProvider, MetricReader } = await import(
      '@opentelemetry/sdk-metrics'
    );
    const agent = new Agent({ keepAlive: true });
    class Reader extends MetricReader {
      constructor() {
        super({ aggregationTemporalitySelector: () => AggregationTemporality.DELTA });
      }
      async onForceFlush() {
        const { resourceMetrics } = await this.collect();
        const body = JSON.stringify(resourceMetrics);
        await new Promise((resolve, reject) => {
          const req = request(`${URL_BASE}/v1/metrics`, {
            method: 'POST',
            agent,
            headers: { 'Content-Type': 'application/json' },
          });
          req.on('error', reject);
          req.on('response', (res) => res.resume().on('end', resolve));
          req.end(body);
        });
      }
      async onShutdown() {}
    }
    const provider = new MeterProvider({ readers: [new Reader()] });
    const meter = provider.getMeter('bench');
    const orders = meter.createCounter('orders');
    const items = meter.createCounter('orders.items');
    const hits = meter.createCounter('cache.hit');
    const depth = meter.createGauge('queue.depth');
    const latency = meter.createHistogram('latency');
    return {
      record(i) {
        orders.add(1, { env: 'prod', region: 'eu-west-1' });
        items.add(3, { env: 'prod', region: 'eu-west-1' });
        hits.add(1, { cache: 'l1' });
        depth.record(i % 50);
        latency.record(10 + (i % 7), { env: 'prod', region: 'eu-west-1' });
        latency.record(20 + (i % 5), { env: 'prod', region: 'eu-west-1' });
      },
      flush: () => provider.forceFlush(),
    };
  },
};

const live = [];
for (const id of ids) if (targets[id] !== undefined) live.push({ id, t: await targets[id](), ms: [] });
for (let i = 0; i < WARMUP + RUNS; i++) {
  for (let k = 0; k < live.length; k++) {
    const x = live[(i + k) % live.length];
    x.t.record(i);
    const t0 = performance.now();
    await x.t.flush();
    const dt = performance.now() - t0;
    if (i >= WARMUP) x.ms.push(dt);
  }
}
const results = live.map((x) => ({
  id: x.id,
  workload: 'H',
  p50: median(x.ms),
  p90: percentile(x.ms, 0.9),
  p99: percentile(x.ms, 0.99),
  n: x.ms.length,
}));
emit({ workload: 'H', results });
// Keep-alive sockets and timers would hold the process open; exit once stdout has drained.
process.stdout.write('', () => process.exit(0));
