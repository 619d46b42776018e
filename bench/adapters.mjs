// One factory per library: returns the hot-path operation of a workload and an untimed `between()`
// (flush to a stub, clear a mock buffer) run after every round. Each library is imported lazily, so a
// child process only loads the library it measures. No network I/O anywhere in here.
//
// Workloads: A increment, 3 tags (a fresh tags literal per call, as handler code writes it); B the same
// over 1,000 rotating tag combinations (fresh array of pre-existing strings); C gauge; Dh histogram;
// Dd distribution (random values). Handlerstats adds A-reuse (hoisted tags array), A-bound (bound
// counter) and A-object (tags as an object).

import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { datadogMetrics, hotShots, otel, powertools } from './anchors.mjs';
import { COMBOS, distUrl, NAME, nullTransport, VALUES } from './common.mjs';

const require = createRequire(import.meta.url);
const DIST = distUrl('index.js');
const TAGS = ['env:prod', 'region:eu-west-1', 'plan:pro'];
const KEY = `${NAME}|${TAGS.join(',')}`;

export function versionOf(pkg) {
  if (pkg === 'handlerstats') return require('../package.json').version;
  const main = require.resolve(pkg);
  const root = main.slice(0, main.lastIndexOf(`/node_modules/${pkg}/`) + `/node_modules/${pkg}/`.length);
  return require(`${root}package.json`).version;
}

/** The bare-Map floors. */
function floor(workload) {
  const m = new Map();
  const between = () => m.clear();
  const push = (k, v) => {
    const a = m.get(k);
    if (a === undefined) m.set(k, [v]);
    else a.push(v);
  };
  switch (workload) {
    case 'A':
      return {
        op: () => {
          const tags = ['env:prod', 'region:eu-west-1', 'plan:pro'];
          const k = `${NAME}|${tags.join(',')}`;
          m.set(k, (m.get(k) ?? 0) + 1);
        },
        between,
      };
    case 'B':
      return {
        op: (i) => {
          const c = COMBOS[i % 1000].tags;
          const tags = [c[0], c[1], c[2]];
          const k = `${NAME}|${tags.join(',')}`;
          m.set(k, (m.get(k) ?? 0) + 1);
        },
        between,
      };
    case 'C':
      return {
        op: (i) => {
          const tags = ['env:prod', 'region:eu-west-1', 'plan:pro'];
          m.set(`${NAME}|${tags.join(',')}`, i);
        },
        between,
      };
    case 'Dh':
    case 'Dd':
      return {
        op: (i) => {
          const tags = ['env:prod', 'region:eu-west-1', 'plan:pro'];
          push(`${NAME}|${tags.join(',')}`, VALUES[i & 4095]);
        },
        between,
      };
  }
  return undefined;
}

function floorPrebuilt(workload) {
  const m = new Map();
  if (workload !== 'A') return undefined;
  return { op: () => m.set(KEY, (m.get(KEY) ?? 0) + 1), between: () => m.clear() };
}

/** `Date.now()` alone: every client that timestamps a point at record time pays it. */
function clock(workload) {
  if (workload !== 'A') return undefined;
  let sink = 0;
  return {
    op: () => {
      sink += Date.now();
    },
    between: () => {
      if (sink === 1) console.log(sink);
    },
  };
}

/** handlerstats of this tree (dist/), or of 0.1 (BENCH_BASELINE_DIR, built by baseline.mjs): same calls. */
async function handlerstats(workload, url = DIST) {
  const { createMetrics } = await import(url);
  const metrics = createMetrics({
    apiKey: 'bench',
    intakeUrl: 'http://127.0.0.1:9',
    flushInterval: 0,
    maxBufferedPoints: 1e9,
    transport: nullTransport,
  });
  const between = () => metrics.flush();
  // What the client dropped over the whole run (a shed point costs less than a kept one: the report shows it).
  const dropped = () => Object.values(metrics.stats().dropped ?? {}).reduce((a, b) => a + b, 0);
  const tags = TAGS;
  switch (workload) {
    case 'A':
      return {
        op: () => metrics.increment(NAME, 1, { tags: ['env:prod', 'region:eu-west-1', 'plan:pro'] }),
        between,
        dropped,
      };
    case 'A-reuse':
      return { op: () => metrics.increment(NAME, 1, { tags }), between, dropped };
    case 'A-bound': {
      const counter = metrics.counter(NAME, { tags });
      return { op: () => counter.add(1), between, dropped };
    }
    case 'A-object':
      return {
        op: () => metrics.increment(NAME, 1, { tags: { env: 'prod', region: 'eu-west-1', plan: 'pro' } }),
        between,
        dropped,
      };
    case 'B':
      return {
        op: (i) => {
          const c = COMBOS[i % 1000].tags;
          metrics.increment(NAME, 1, { tags: [c[0], c[1], c[2]] });
        },
        between,
        dropped,
      };
    case 'C':
      return {
        op: (i) => metrics.gauge(NAME, i, { tags: ['env:prod', 'region:eu-west-1', 'plan:pro'] }),
        between,
        dropped,
      };
    case 'Dh':
      return {
        op: (i) =>
          metrics.histogram(NAME, VALUES[i & 4095], { tags: ['env:prod', 'region:eu-west-1', 'plan:pro'] }),
        between,
        dropped,
      };
    case 'Dd':
      return {
        op: (i) =>
          metrics.distribution(NAME, VALUES[i & 4095], {
            tags: ['env:prod', 'region:eu-west-1', 'plan:pro'],
          }),
        between,
        dropped,
      };
  }
  return undefined;
}

const ALL = ['A', 'B', 'C', 'Dh', 'Dd'];

/** Libraries in table order, with the npm package whose version is reported and the workloads each supports. */
export const LIBRARIES = [
  {
    id: 'handlerstats',
    label: 'handlerstats',
    pkg: 'handlerstats',
    workloads: ['A', 'A-reuse', 'A-bound', 'A-object', 'B', 'C', 'Dh', 'Dd'],
    micro: handlerstats,
  },
  {
    id: 'handlerstats-0.1',
    label: 'handlerstats 0.1',
    workloads: ALL,
    baseline: true,
    micro: (w) =>
      process.env.BENCH_BASELINE_DIR === undefined
        ? undefined
        : handlerstats(w, pathToFileURL(join(process.env.BENCH_BASELINE_DIR, 'index.js')).href),
  },
  { id: 'floor-key', label: 'floor: Map, key built per call', floor: true, workloads: ALL, micro: floor },
  {
    id: 'floor-prebuilt',
    label: 'floor: Map, pre-built key',
    floor: true,
    workloads: ['A'],
    micro: floorPrebuilt,
  },
  { id: 'clock', label: 'reference: Date.now() alone', floor: true, workloads: ['A'], micro: clock },
  {
    id: 'datadog-metrics',
    label: 'datadog-metrics',
    pkg: 'datadog-metrics',
    workloads: ALL,
    micro: datadogMetrics,
  },
  { id: 'hot-shots', label: 'hot-shots (mock)', pkg: 'hot-shots', workloads: ALL, micro: hotShots },
  {
    id: 'powertools',
    label: 'Powertools metrics',
    pkg: '@aws-lambda-powertools/metrics',
    workloads: ['A', 'B', 'C', 'Dd'],
    micro: powertools,
  },
  { id: 'otel', label: 'OTel sdk-metrics', pkg: '@opentelemetry/sdk-metrics', workloads: ALL, micro: otel },
];
