// One handler process of test/faults/multi-process.test.ts: the built package (dist/, `npm run build`)
// wrapped around a Lambda-style handler with withMetrics, INVOCATIONS invocations one after another, each
// flushed before it returns. Then it flushes whatever the last failed flushes carried and prints one JSON
// line: its stats(), the error codes it heard, and the ledger of what it recorded.
// Usage: node worker-process.mjs <intakeUrl> <native|distribution> <base seconds> <process index>
import { createMetrics } from '../../../dist/index.js';
import { withMetrics } from '../../../dist/lambda.js';
import { INVOCATIONS, invocationTime, Ledger, NAMESPACE, record } from './concurrency-workload.mjs';

const [intakeUrl, sendAs, baseArg, procArg] = process.argv.slice(2);
const base = Number(baseArg);
const proc = Number(procArg);
const INVOCATION_TIMEOUT_MS = 10_000;

let nowMs = 0;
const heard = {};
const metrics = createMetrics({
  apiKey: 'multiprocess0api0key0000000000ab',
  intakeUrl,
  sendAs,
  namespace: NAMESPACE,
  flushInterval: 0,
  now: () => nowMs,
  env: {},
  onError: (e) => {
    heard[e.code] = (heard[e.code] ?? 0) + 1;
  },
});
const ledger = new Ledger();
const full = (name) => `${NAMESPACE}.${name}`;

const handler = withMetrics(
  metrics,
  async (event) => {
    record(metrics, proc, event.j, (kind, name, tags, value) =>
      ledger.note(kind, full(name), tags, nowMs / 1000, value),
    );
    return { statusCode: 200, j: event.j };
  },
  { coldStartMetric: 'invocations' },
);

const results = [];
for (let j = 0; j < INVOCATIONS; j++) {
  nowMs = invocationTime(base, j) * 1000;
  ledger.note('count', full('invocations'), [`cold_start:${j === 0}`], nowMs / 1000, 1);
  const started = performance.now();
  const context = {
    functionName: 'multi-process',
    awsRequestId: `p${proc}-${j}`,
    getRemainingTimeInMillis: () => INVOCATION_TIMEOUT_MS - (performance.now() - started),
  };
  const result = await handler({ j }, context);
  results.push(result.j === j && performance.now() - started < INVOCATION_TIMEOUT_MS);
}
// What the last invocations' failed flushes carried (a container's next invocation would send it).
const carried = metrics.stats().buffered;
for (let k = 0; k < 10 && metrics.stats().buffered > 0; k++) await metrics.flush().catch(() => {});
const stats = metrics.stats();
await metrics.close({ timeoutMs: 1000 }).catch(() => {});
process.stdout.write(
  `${JSON.stringify({ proc, ok: results.every(Boolean), carried, stats, heard, ledger: ledger.entries })}\n`,
);
