import {
  createHttpTransport,
  createMetrics,
  type FlushReport,
  type Metrics,
  type MetricsError,
  type MetricsOptions,
  type MetricsStats,
  type Transport,
} from '../../../src/index.js';
import { type Intake, type ReceivedSnapshot, startIntake } from '../../../src/intake/index.js';
import { withMetrics } from '../../../src/integrations/lambda.js';
import { type TestClock, testClock } from '../../helpers/clock.js';
import { type FakeDns, fakeDns } from './fake-dns.js';
import { startTcpFront, type TcpFront } from './tcp-front.js';
import { TruthLog } from './truth-log.js';

/** A Lambda-like invocation limit; `withMetrics` keeps its default 500 ms margin free. */
export const INVOCATION_TIMEOUT_MS = 2000;
export const API_KEY = 'faults0suite0api0key0000000000ab';
const NAMESPACE = 'app';
const R = 10;

export interface Invocation {
  latencyMs: number;
  result: unknown;
  before: MetricsStats;
  after: MetricsStats;
  /** What `onError` heard during the invocation (concurrent invocations: during any of them). */
  errors: MetricsError[];
}

export interface InvokeOptions {
  /** Record the event (default true). */
  events?: boolean;
  /** The invocation's time limit (`getRemainingTimeInMillis` at its start). Default INVOCATION_TIMEOUT_MS. */
  timeoutMs?: number;
}

export interface RigOptions {
  /**
   * Build the client as a deployed function does: no `apiKey` and no transport in code, the key read from
   * `DD_API_KEY` (this value) and the default transport chosen by `createMetrics`.
   */
  envApiKey?: string;
}

/** The client side of one fault case: intake ← raw TCP front ← client (Lambda-wrapped), plus the truth. */
export interface Rig {
  intake: Intake;
  front: TcpFront;
  dns: FakeDns | undefined;
  metrics: Metrics;
  clock: TestClock;
  truth: TruthLog;
  /** Transport calls (attempts) that have not settled yet: every one must end, even a hung one. */
  inFlight(): number;
  /** One Lambda invocation that runs the standard workload (`events: false` leaves the event out). */
  invoke(i: number, options?: InvokeOptions): Promise<Invocation>;
  /** Everything `onError` heard so far. */
  errors: MetricsError[];
  snapshot(): ReceivedSnapshot;
  close(): Promise<void>;
}

/** A bucket-aligned start 30 minutes in the past: inside Datadog's window, aligned to R. */
function alignedBase(): number {
  return Math.floor(Date.now() / 1000 / 600) * 600 - 1800;
}

/**
 * Starts a fresh intake, a TCP front before it and a client. `via: 'dns'` points the client at
 * `http://intake.invalid:<front port>` (with `allowInsecureHttp`), resolved by {@link fakeDns}.
 */
export async function startRig(
  via: 'front' | 'dns' = 'front',
  options: MetricsOptions = {},
  rigOptions: RigOptions = {},
): Promise<Rig> {
  const intake = await startIntake({ quiet: true });
  const front = await startTcpFront(intake.port);
  const dns = via === 'dns' ? fakeDns() : undefined;
  const clock = testClock(alignedBase() + 2);
  const truth = new TruthLog(R);
  const errors: MetricsError[] = [];
  const intakeUrl = via === 'dns' ? `http://intake.invalid:${front.port}` : front.url;
  // The default Node transport, wrapped only to count attempts that have not settled.
  const http = createHttpTransport({ intakeUrl, apiKey: API_KEY, allowInsecureHttp: via === 'dns' });
  let pending = 0;
  const transport: Transport = {
    async send(request, signal) {
      pending++;
      try {
        return await http.send(request, signal);
      } finally {
        pending--;
      }
    },
    close: () => http.close?.(),
  };
  const fromEnv = rigOptions.envApiKey !== undefined;
  const metrics = createMetrics({
    ...(fromEnv ? {} : { apiKey: API_KEY, transport }),
    intakeUrl,
    allowInsecureHttp: via === 'dns',
    namespace: NAMESPACE,
    flushInterval: 0,
    now: clock,
    env: fromEnv ? { DD_API_KEY: rigOptions.envApiKey } : {},
    onError: (e) => errors.push(e),
    ...options,
  });
  if (fromEnv) http.close?.();
  // The client's own transport cannot be wrapped: what the front forwarded and got no answer to yet.
  const unanswered = (): number =>
    front.log.filter((r) => r.fault === undefined && r.answered === undefined).length;

  const record = (i: number, events: boolean): void => {
    const t = clock.seconds();
    const put = (
      kind: 'count' | 'gauge' | 'set' | 'histogram' | 'distribution',
      name: string,
      value: number | string,
      tags: string[] = [],
    ): void => {
      const opts = { tags };
      if (kind === 'count') metrics.increment(name, value as number, opts);
      else if (kind === 'gauge') metrics.gauge(name, value as number, opts);
      else if (kind === 'set') metrics.set(name, value, opts);
      else if (kind === 'histogram') metrics.histogram(name, value as number, opts);
      else metrics.distribution(name, value as number, opts);
      truth.ops.push({ inv: i, kind, name: `${NAMESPACE}.${name}`, t, value, tags });
    };
    put('count', 'orders', i + 1, ['plan:pro']);
    put('count', 'orders', 2, ['plan:free']);
    put('count', 'stock', -1);
    put('gauge', 'queue.depth', 10 * i + 3);
    put('set', 'users', `u${i}`);
    put('set', 'users', 'u0');
    for (const v of [i + 1, 2 * i + 5, 7]) put('histogram', 'latency', v);
    put('distribution', 'payload.bytes', 100 + i);
    put('distribution', 'payload.bytes', 200 + i, ['route:b']);
    if (events) {
      const title = `invocation ${i}`;
      metrics.event(title, 'from the fault suite');
      truth.ops.push({ inv: i, kind: 'event', title });
    }
  };

  const handler = withMetrics(metrics, async (event: { i: number; events: boolean }) => {
    record(event.i, event.events);
    return { statusCode: 200, i: event.i };
  });

  return {
    intake,
    front,
    dns,
    metrics,
    clock,
    truth,
    inFlight: () => (fromEnv ? unanswered() : pending),
    errors,
    async invoke(i, o = {}) {
      const before = metrics.stats();
      const heard = errors.length;
      const started = performance.now();
      const limit = o.timeoutMs ?? INVOCATION_TIMEOUT_MS;
      const context = {
        functionName: 'faults',
        awsRequestId: `req-${i}`,
        getRemainingTimeInMillis: () => Math.max(0, Math.floor(limit - (performance.now() - started))),
      };
      const result = await handler({ i, events: o.events ?? true }, context);
      const latencyMs = performance.now() - started;
      return { latencyMs, result, before, after: metrics.stats(), errors: errors.slice(heard) };
    },
    snapshot: () => intake.received(),
    async close() {
      dns?.restore();
      await metrics.close({ timeoutMs: 1 }).catch(() => {});
      await front.close();
      await intake.close();
    },
  };
}

/** The flush report a failed flush carried in its error (`details.report`). */
export function reportOf(error: MetricsError | undefined): FlushReport | undefined {
  return error?.details?.report as FlushReport | undefined;
}

/** `after - before` for the numeric counters of stats() that a fault case looks at. */
export function delta(inv: Invocation) {
  const { before: b, after: a } = inv;
  return {
    requests: a.requests - b.requests,
    retries: a.retries - b.retries,
    flushes: a.flushes - b.flushes,
    failedFlushes: a.failedFlushes - b.failedFlushes,
    carriedOver: a.carriedOver - b.carriedOver,
    resent: a.resent - b.resent,
    ambiguous: a.ambiguous - b.ambiguous,
    rejected: a.dropped.rejected - b.dropped.rejected,
    errors: Object.fromEntries(
      Object.entries(a.errors)
        .map(([k, v]) => [k, v - (b.errors[k] ?? 0)] as const)
        .filter(([, v]) => v > 0),
    ),
  };
}
