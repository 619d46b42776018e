// Options written in code are checked at `createMetrics()`: a bad value throws a TypeError/RangeError
// naming the option, an unknown key throws too (a typo must not silently keep a default). Values read
// from the environment never throw: see env.ts.

import type { SendAs } from '../core/kinds/index.js';
import { normalizeHost, normalizeTags, parseTagList } from '../core/normalize.js';
import type { FlushOptions, HistogramAggregate, MetricsOptions } from '../types.js';
import { bool, fail, num, str } from './check.js';
import { type Env, type EnvProblem, envSwitch, envValue, managedInstances, read } from './env.js';
import { resolveApiKey, resolveIntake } from './intake.js';
import { resolveUnits } from './units.js';

const AGGREGATES: readonly HistogramAggregate[] = ['min', 'max', 'avg', 'median', 'sum', 'count'];
const KEYS = new Set([
  'apiKey',
  'site',
  'intakeUrl',
  'allowInsecureHttp',
  'namespace',
  'tags',
  'host',
  'rollupInterval',
  'flushInterval',
  'flushTimeoutMs',
  'maxPastSeconds',
  'maxFutureSeconds',
  'histogramAggregates',
  'histogramPercentiles',
  'maxBufferedPoints',
  'maxRetainedBuckets',
  'maxMemoryBytes',
  'sendAs',
  'apiVersion',
  'units',
  'transport',
  'onError',
  'now',
  'enabled',
  'strict',
  'env',
]);
const MiB = 1024 * 1024;

/** Options after defaults, environment and validation. */
export interface ResolvedOptions {
  apiKey: string | undefined;
  /** Where to send; undefined when the environment named no usable place (then: the log transport). */
  intakeUrl: string | undefined;
  /** Why the log transport is used instead of the API, if it is. */
  toLog: string | undefined;
  namespace: string;
  tags: string[];
  host: string;
  rollupInterval: number;
  flushInterval: number;
  flushTimeoutMs: number;
  maxPastSeconds: number;
  maxFutureSeconds: number;
  histogramAggregates: readonly HistogramAggregate[];
  histogramPercentiles: readonly number[];
  maxBufferedPoints: number;
  maxRetainedBuckets: number;
  maxMemoryBytes: number;
  sendAs: SendAs;
  apiVersion: 1 | 2;
  /** Full metric name (namespace included) → unit. */
  units: ReadonlyMap<string, string>;
  enabled: boolean;
  strict: boolean;
  /** Lambda Managed Instances (never frozen, several invocations at once): flush in the background. */
  background: boolean;
}

/** The default host, as written in code: sent as is, so it must already be clean. */
function checkHost(host: string): string {
  if (normalizeHost(host) !== host)
    fail('host', 'must be at most 255 characters, without control characters or surrounding spaces');
  return host;
}

function tagObject(tags: unknown): string[] {
  if (tags === undefined) return [];
  return Object.entries(tags as Record<string, unknown>).map(([k, v]) => `${k}:${String(v)}`);
}

/**
 * Validates options (throwing TypeError/RangeError naming the option) and merges the environment
 * (whose unusable values are returned as `problems`, to be reported once each).
 */
export function resolveOptions(
  options: MetricsOptions,
  env: Env,
): { o: ResolvedOptions; problems: EnvProblem[] } {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('handlerstats: options must be an object');
  const unknown = Object.keys(options).filter((k) => !KEYS.has(k));
  if (unknown.length > 0)
    throw new TypeError(
      `handlerstats: option ${unknown.map((k) => `"${k}"`).join(', ')} ${unknown.length > 1 ? 'are' : 'is'} unknown (a typo?)`,
    );
  const problems: EnvProblem[] = [];
  const namespace = str('namespace', options.namespace) ?? '';
  const ns = namespace
    .replace(/[^A-Za-z0-9_.]+/g, '_')
    .replace(/^[^A-Za-z]+/, '')
    .replace(/\.+$/, '');
  if (namespace !== '' && ns === '') fail('namespace', 'has no usable characters');
  const userTags = options.tags;
  if (userTags !== undefined && (typeof userTags !== 'object' || userTags === null))
    fail('tags', 'must be an array of strings or an object', 'type');
  const envTags = parseTagList(read(env, 'DD_TAGS'));
  for (const [key, name] of [
    ['env', 'DD_ENV'],
    ['service', 'DD_SERVICE'],
    ['version', 'DD_VERSION'],
  ] as const) {
    const value = envValue(env, name);
    if (value !== undefined) envTags.push(`${key}:${value}`);
  }
  const tags = normalizeTags(
    [...envTags, ...(Array.isArray(userTags) ? userTags : tagObject(userTags))],
    [],
  ).tags;
  const rollupInterval = num('rollupInterval', options.rollupInterval, 10, 1, 3600, true);
  const aggregates = options.histogramAggregates ?? ['max', 'median', 'avg', 'count'];
  if (!Array.isArray(aggregates) || aggregates.some((a) => !AGGREGATES.includes(a)))
    fail('histogramAggregates', `must list only ${AGGREGATES.join(', ')}`);
  const percentiles = options.histogramPercentiles ?? [0.95];
  if (!Array.isArray(percentiles) || percentiles.some((p) => typeof p !== 'number' || !(p > 0 && p < 1)))
    fail('histogramPercentiles', 'must list numbers between 0 and 1 (exclusive)');
  if (options.transport !== undefined && typeof options.transport?.send !== 'function')
    fail('transport', 'must have a send(request, signal) method', 'type');
  if (options.onError !== undefined && typeof options.onError !== 'function')
    fail('onError', 'must be a function', 'type');
  if (options.now !== undefined && typeof options.now !== 'function')
    fail('now', 'must be a function returning milliseconds', 'type');
  const sendAs = options.sendAs ?? 'native';
  if (sendAs !== 'native' && sendAs !== 'distribution')
    fail('sendAs', `must be "native" or "distribution", got ${JSON.stringify(sendAs)}`);
  bool('allowInsecureHttp', options.allowInsecureHttp);
  const apiVersion =
    options.apiVersion ?? (envSwitch(env, 'DD_USE_V2_API_SERIES', problems) === true ? 2 : 1);
  if (apiVersion !== 1 && apiVersion !== 2)
    fail('apiVersion', `must be 1 or 2, got ${JSON.stringify(apiVersion)}`);
  const units = resolveUnits(options.units, ns);
  const mi = managedInstances(env);
  const { key, broken } = resolveApiKey(options, env, problems);
  const intake = resolveIntake(options, env, problems);
  const toLog = broken ? 'DD_API_KEY is unusable' : intake.toLog;
  const enabled = bool('enabled', options.enabled) ?? envSwitch(env, 'DD_METRICS_ENABLED', problems) ?? true;
  const flushToLog = envSwitch(env, 'DD_FLUSH_TO_LOG', problems) === true;
  return {
    o: checkWindow({
      apiKey: key,
      intakeUrl: intake.intakeUrl,
      toLog: toLog ?? (flushToLog ? 'DD_FLUSH_TO_LOG' : undefined),
      namespace: ns,
      tags,
      host: checkHost(str('host', options.host) ?? ''),
      rollupInterval,
      flushInterval: num('flushInterval', options.flushInterval, 10, 0, 86_400),
      flushTimeoutMs: num('flushTimeoutMs', options.flushTimeoutMs, 5000, 1, 900_000),
      maxPastSeconds: num('maxPastSeconds', options.maxPastSeconds, 3600, 0, 3600),
      maxFutureSeconds: num('maxFutureSeconds', options.maxFutureSeconds, 600, 0, 600),
      histogramAggregates: [...new Set(aggregates)],
      histogramPercentiles: [...new Set(percentiles)],
      maxBufferedPoints: num('maxBufferedPoints', options.maxBufferedPoints, 100_000, 1, 1e9, true),
      maxRetainedBuckets: num('maxRetainedBuckets', options.maxRetainedBuckets, 50_000, 1, 1e9, true),
      // Per client, so per worker thread on Managed Instances, which run several in one environment.
      maxMemoryBytes: num(
        'maxMemoryBytes',
        options.maxMemoryBytes,
        mi.concurrent ? 4 * MiB : 8 * MiB,
        65_536,
        2 ** 40,
        true,
      ),
      sendAs,
      apiVersion,
      units,
      enabled,
      strict: bool('strict', options.strict) ?? false,
      background: mi.concurrent,
    }),
    problems,
  };
}

/**
 * Refuses windows that expire everything: a bucket must still be inside `maxPastSeconds` when it closes,
 * and when the timer (which sends closed buckets) gets to it.
 */
function checkWindow(o: ResolvedOptions): ResolvedOptions {
  if (o.rollupInterval > o.maxPastSeconds)
    fail(
      'maxPastSeconds',
      `(${o.maxPastSeconds}) must be at least "rollupInterval" (${o.rollupInterval}): every bucket would age out before it closes`,
    );
  if (o.flushInterval > 0 && o.rollupInterval + o.flushInterval > o.maxPastSeconds)
    throw new RangeError(
      `handlerstats: options "rollupInterval" + "flushInterval" (${o.rollupInterval} + ${o.flushInterval} s) must not exceed "maxPastSeconds" (${o.maxPastSeconds}): closed buckets would age out before the timer sends them`,
    );
  return o;
}

/** Checks `flush(options)`; throws TypeError/RangeError naming the option. */
export function checkFlushOptions(fo: unknown): void {
  if (fo === undefined) return;
  if (typeof fo !== 'object' || fo === null)
    throw new TypeError('handlerstats: option "flush(options)" must be an object');
  const { timeoutMs, signal } = fo as FlushOptions;
  if (timeoutMs !== undefined && (typeof timeoutMs !== 'number' || !(timeoutMs >= 0)))
    throw new RangeError('handlerstats: option "timeoutMs" of flush() must be a non-negative number');
  if (
    signal !== undefined &&
    typeof (signal as { addEventListener?: unknown })?.addEventListener !== 'function'
  )
    throw new TypeError('handlerstats: option "signal" of flush() must be an AbortSignal');
  for (const k of Object.keys(fo))
    if (k !== 'timeoutMs' && k !== 'signal')
      throw new TypeError(`handlerstats: option "${k}" is not an option of flush() (a typo?)`);
}
