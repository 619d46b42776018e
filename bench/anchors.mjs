// The anchors' hot-path adapters (see adapters.mjs for the contract): datadog-metrics with a stub
// reporter, hot-shots in mock mode, Powertools with its EMF output sent to a sink, OTel with a manual
// reader. No network I/O.
import { createRequire } from 'node:module';
import { COMBOS, NAME, VALUES } from './common.mjs';

const require = createRequire(import.meta.url);

export async function datadogMetrics(workload) {
  const { BufferedMetricsLogger } = require('datadog-metrics');
  // A stub reporter (promise style): the series are built and handed over, nothing is sent.
  const logger = new BufferedMetricsLogger({ flushIntervalSeconds: 0, reporter: { report: async () => {} } });
  const between = () => logger.flush();
  switch (workload) {
    case 'A':
      return { op: () => logger.increment(NAME, 1, ['env:prod', 'region:eu-west-1', 'plan:pro']), between };
    case 'B':
      return {
        op: (i) => {
          const c = COMBOS[i % 1000].tags;
          logger.increment(NAME, 1, [c[0], c[1], c[2]]);
        },
        between,
      };
    case 'C':
      return { op: (i) => logger.gauge(NAME, i, ['env:prod', 'region:eu-west-1', 'plan:pro']), between };
    case 'Dh':
      return {
        op: (i) => logger.histogram(NAME, VALUES[i & 4095], ['env:prod', 'region:eu-west-1', 'plan:pro']),
        between,
      };
    case 'Dd':
      return {
        op: (i) => logger.distribution(NAME, VALUES[i & 4095], ['env:prod', 'region:eu-west-1', 'plan:pro']),
        between,
      };
  }
  return undefined;
}

export async function hotShots(workload) {
  const StatsD = require('hot-shots');
  // Mock mode: every call formats its DogStatsD line and pushes it to `mockBuffer` instead of a socket.
  const client = new StatsD({ mock: true });
  const between = () => {
    client.mockBuffer.length = 0;
  };
  switch (workload) {
    case 'A':
      return { op: () => client.increment(NAME, 1, ['env:prod', 'region:eu-west-1', 'plan:pro']), between };
    case 'B':
      return {
        op: (i) => {
          const c = COMBOS[i % 1000].tags;
          client.increment(NAME, 1, [c[0], c[1], c[2]]);
        },
        between,
      };
    case 'C':
      return { op: (i) => client.gauge(NAME, i, ['env:prod', 'region:eu-west-1', 'plan:pro']), between };
    case 'Dh':
      return {
        op: (i) => client.histogram(NAME, VALUES[i & 4095], ['env:prod', 'region:eu-west-1', 'plan:pro']),
        between,
      };
    case 'Dd':
      return {
        op: (i) => client.distribution(NAME, VALUES[i & 4095], ['env:prod', 'region:eu-west-1', 'plan:pro']),
        between,
      };
  }
  return undefined;
}

const silent = { debug() {}, info() {}, warn() {}, error() {}, log() {} };

export async function powertools(workload) {
  const { Metrics, MetricUnit } = await import('@aws-lambda-powertools/metrics');
  const metrics = new Metrics({ namespace: 'bench', serviceName: 'bench', logger: silent });
  // EMF documents are serialized as in production; the final stdout write is replaced by a sink.
  let bytes = 0;
  metrics.console = { ...silent, log: (s) => (bytes += s.length) };
  const between = () => {
    if (bytes < 0) console.log(bytes);
  };
  // Powertools has no per-call tags: dimensions belong to the invocation. A, C and D set them once
  // (its fastest path); B uses singleMetric(), its documented way to give one metric its own dimensions.
  if (workload !== 'B') metrics.setDefaultDimensions({ env: 'prod', region: 'eu-west-1', plan: 'pro' });
  switch (workload) {
    case 'A':
      return { op: () => metrics.addMetric(NAME, MetricUnit.Count, 1), between };
    case 'B':
      return {
        op: (i) => {
          const v = COMBOS[i % 1000].values;
          const single = metrics.singleMetric();
          single.console = metrics.console;
          single.addDimensions({ env: v[0], region: v[1], shard: v[2] });
          single.addMetric(NAME, MetricUnit.Count, 1);
        },
        between,
      };
    case 'C':
      return { op: (i) => metrics.addMetric(NAME, MetricUnit.Count, i), between };
    case 'Dd':
      return { op: (i) => metrics.addMetric(NAME, MetricUnit.Milliseconds, VALUES[i & 4095]), between };
  }
  return undefined;
}

export async function otel(workload) {
  const { MeterProvider, MetricReader, AggregationTemporality, AggregationType } = await import(
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
  const provider = new MeterProvider({
    readers: [reader],
    views: [{ instrumentName: 'bench.dist', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }],
  });
  const meter = provider.getMeter('bench');
  const between = () => reader.collect();
  switch (workload) {
    case 'A': {
      const counter = meter.createCounter(NAME);
      return { op: () => counter.add(1, { env: 'prod', region: 'eu-west-1', plan: 'pro' }), between };
    }
    case 'B': {
      const counter = meter.createCounter(NAME);
      return {
        op: (i) => {
          const v = COMBOS[i % 1000].values;
          counter.add(1, { env: v[0], region: v[1], shard: v[2] });
        },
        between,
      };
    }
    case 'C': {
      const gauge = meter.createGauge(NAME);
      return { op: (i) => gauge.record(i, { env: 'prod', region: 'eu-west-1', plan: 'pro' }), between };
    }
    case 'Dh': {
      const h = meter.createHistogram(NAME);
      return {
        op: (i) => h.record(VALUES[i & 4095], { env: 'prod', region: 'eu-west-1', plan: 'pro' }),
        between,
      };
    }
    case 'Dd': {
      const h = meter.createHistogram('bench.dist');
      return {
        op: (i) => h.record(VALUES[i & 4095], { env: 'prod', region: 'eu-west-1', plan: 'pro' }),
        between,
      };
    }
  }
  return undefined;
}
