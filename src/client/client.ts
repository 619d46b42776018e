import { Aggregator, type CoreProblem } from '../core/aggregator.js';
import { KIND, type KindId as Kind } from '../core/kinds/index.js';
import type { Series } from '../core/series.js';
import { MetricsError, type MetricsErrorCode } from '../errors.js';
import { FlushError } from '../flush/error.js';
import { Flusher } from '../flush/flusher.js';
import type { FlushCounters } from '../flush/run.js';
import { createLogTransport } from '../transports/log.js';
import type {
  BindOptions,
  EventOptions,
  FlushOptions,
  FlushReport,
  MetricOptions,
  MetricsOptions,
  MetricsStats,
  Transport,
} from '../types.js';
import { type Binding, type Metrics, metricsApi } from './api.js';
import { defaultEnv } from './env.js';
import { EventQueue, eventBody } from './events.js';
import { checkFlushOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { Reporter } from './report.js';
import { buildStats } from './stats.js';
import { unattendedFlushes } from './unattended.js';

/** Symbol under which integrations report errors they caught (they never throw them at the handler). */
export const REPORT_ERROR: unique symbol = Symbol.for('handlerstats.reportError') as never;

/**
 * Symbol under which a client in background mode (Lambda Managed Instances: never frozen, several
 * invocations at once) offers the integrations a flush to start instead of one to await.
 */
export const BACKGROUND_FLUSH: unique symbol = Symbol.for('handlerstats.backgroundFlush') as never;

export type { Metrics } from './api.js';

export type TransportFactory = (
  options: ResolvedOptions & { intakeUrl: string; apiKey: string },
) => Transport;

/** createMetrics with the platform's default API transport (node:http on Node, fetch elsewhere). */
export function createMetricsWith(options: MetricsOptions, apiTransport: TransportFactory): Metrics {
  const { o, problems: envProblems } = resolveOptions(options, options.env ?? defaultEnv());
  const now = options.now ?? Date.now;
  const reporter = new Reporter(options.onError);
  const counters: FlushCounters = {
    requests: 0,
    retries: 0,
    bytesSent: 0,
    flushes: 0,
    failedFlushes: 0,
    resent: 0,
    carriedOver: 0,
    ambiguous: 0,
    rejected: 0,
    errors: reporter.errors,
  };
  const count = (error: MetricsError): void => reporter.count(error);
  const report = (error: MetricsError, once: boolean): void => reporter.report(error, once);
  const problem = (code: CoreProblem | MetricsErrorCode, detail: string, metric?: string): void =>
    reporter.problem(code, detail, metric);
  const strictly = <T>(call: () => T): T => reporter.strictly(call);

  // Unusable DD_* values: reported once each, naming the variable; they fell back in resolveOptions.
  for (const p of envProblems)
    report(new MetricsError('INVALID_ENV', p.message, { details: { variable: p.variable } }), false);
  let transport = options.transport;
  if (transport === undefined) {
    if (o.toLog !== undefined || o.intakeUrl === undefined) transport = createLogTransport();
    else if (o.apiKey === undefined) {
      if (o.enabled) {
        const msg = 'no API key (apiKey or DD_API_KEY): metrics are written to the log instead';
        report(new MetricsError('MISSING_API_KEY', msg), true);
      }
      transport = createLogTransport();
    } else transport = apiTransport({ ...o, intakeUrl: o.intakeUrl, apiKey: o.apiKey });
  }

  const aggregator = new Aggregator(
    {
      namespace: o.namespace,
      host: o.host,
      constantTags: o.tags,
      interval: o.rollupInterval,
      maxPastSeconds: o.maxPastSeconds,
      maxFutureSeconds: o.maxFutureSeconds,
      aggregates: o.histogramAggregates,
      percentiles: o.histogramPercentiles,
      maxBufferedPoints: o.maxBufferedPoints,
      maxRetainedBuckets: o.maxRetainedBuckets,
      maxMemoryBytes: o.maxMemoryBytes,
      additive: transport.additive === true,
      sendAs: o.sendAs,
      apiVersion: o.apiVersion,
      units: o.units,
    },
    problem,
  );
  const events = new EventQueue();
  reporter.budget = aggregator.budget;
  const flusher = new Flusher({ aggregator, events, transport, counters, nowMs: now, count });
  const enabled = o.enabled;

  const record = (kind: Kind, name: string, value: unknown, opts: MetricOptions | undefined): void => {
    if (!enabled) return;
    if (o.strict) strictly(() => recordValue(kind, name, value, opts));
    else recordValue(kind, name, value, opts);
  };
  const recordValue = (kind: Kind, name: string, value: unknown, opts: MetricOptions | undefined): void => {
    try {
      if (kind === KIND.set) {
        const t = typeof value;
        if (t === 'string' || (t === 'number' && Number.isFinite(value)) || t === 'bigint' || t === 'boolean')
          aggregator.record(kind, name, String(value), opts, now());
        else aggregator.invalid(`set value must be a string or a finite number, got ${t}`, metricName(name));
      } else if (typeof value === 'number' && Number.isFinite(value))
        aggregator.record(kind, name, value, opts, now());
      else
        aggregator.invalid(
          `metric value must be a finite number, got ${describeValue(value)}`,
          metricName(name),
        );
    } catch (error) {
      if (o.strict) throw error;
      aggregator.stats.dropped.invalid++;
      report(new MetricsError('INVALID_VALUE', 'unexpected input was dropped', { cause: error }), true);
    }
  };

  const bind = (kind: Kind, name: string, opts: BindOptions | undefined): Binding => {
    const plain: Binding = { write: (value) => record(kind, name, value, opts), release: () => {} };
    if (!enabled) return { write: () => {}, release: () => {} };
    let series: ReturnType<Aggregator['bind']>;
    try {
      series = o.strict
        ? strictly(() => aggregator.bind(kind, name, opts))
        : aggregator.bind(kind, name, opts);
    } catch (error) {
      if (o.strict) throw error;
      return plain;
    }
    // An unusable name or a name collision: every call goes the plain way, and is counted there.
    if (series === undefined) return plain;
    let s: Series | undefined = series;
    return {
      write(value) {
        if (s === undefined || typeof value !== 'number' || !Number.isFinite(value))
          record(kind, name, value, opts);
        else if (o.strict) strictly(() => aggregator.recordBound(s!, value, now()));
        else aggregator.recordBound(s, value, now());
      },
      release() {
        // After release the series may be forgotten; later writes take the plain way.
        if (s !== undefined) aggregator.unbind(s);
        s = undefined;
      },
    };
  };

  const event = (title: string, text: string | undefined, opts: EventOptions | undefined): void => {
    if (!enabled) return;
    try {
      const body = eventBody(title, text, opts, o.tags, o.host, now() / 1000, (p) =>
        problem(
          'EVENT_FIELD',
          `event field "${p.field}" ${p.problem === 'unknown' ? 'had an unknown value: the default is sent' : `was ${p.problem}`}`,
        ),
      );
      if (body === undefined) {
        if (o.strict) throw new MetricsError('INVALID_VALUE', 'event title must be a non-empty string');
        problem('INVALID_VALUE', 'event title must be a non-empty string');
      } else if (!events.push(body)) problem('OVERFLOW', 'event queue full: oldest event dropped');
    } catch (error) {
      if (o.strict) throw error;
      aggregator.stats.dropped.invalid++;
      report(
        new MetricsError('INVALID_VALUE', 'an event with unusable options was dropped', { cause: error }),
        true,
      );
    }
  };

  const flush = async (fo?: FlushOptions): Promise<FlushReport> => {
    checkFlushOptions(fo);
    const timeoutMs = Math.min(fo?.timeoutMs ?? o.flushTimeoutMs, o.flushTimeoutMs);
    const result = await flusher.flush({ includeOpen: true, timeoutMs, signal: fo?.signal });
    if (!result.ok) throw new FlushError(result);
    return result;
  };

  const unattended = unattendedFlushes(
    flusher,
    {
      flushIntervalSeconds: enabled ? o.flushInterval : 0,
      timeoutMs: o.flushTimeoutMs,
      includeOpen: o.background,
    },
    (e) => report(e, false),
  );

  const close = async (fo?: FlushOptions): Promise<FlushReport> => {
    unattended.stop();
    try {
      return await flush(fo);
    } finally {
      await transport.close?.();
    }
  };

  return metricsApi({
    record,
    bind,
    event,
    flush,
    close,
    stats: (): MetricsStats => buildStats(aggregator, counters, events),
    hooks: {
      // With a timer, the timer sends; without one, each invocation starts a flush (coalesced).
      [BACKGROUND_FLUSH]: o.background
        ? () => {
            if (o.flushInterval === 0) unattended.flush(true, true);
          }
        : undefined,
      [REPORT_ERROR]: (e: unknown) =>
        report(
          e instanceof MetricsError ? e : new MetricsError('INTEGRATION_ERROR', String(e), { cause: e }),
          false,
        ),
    },
  });
}

function metricName(name: unknown): string | undefined {
  return typeof name === 'string' ? name.slice(0, 200) : undefined;
}

function describeValue(value: unknown): string {
  if (typeof value === 'number') return String(value);
  return value === null ? 'null' : typeof value;
}
