import { normalizeTags, parseTagList } from './core/normalize.js';
import type { FlushOptions, HistogramAggregate, MetricsOptions } from './types.js';

const AGGREGATES: readonly HistogramAggregate[] = ['min', 'max', 'avg', 'median', 'sum', 'count'];
const SITES = new Set([
  'datadoghq.com',
  'us3.datadoghq.com',
  'us5.datadoghq.com',
  'datadoghq.eu',
  'ap1.datadoghq.com',
  'ap2.datadoghq.com',
  'ddog-gov.com',
]);

export type Env = Readonly<Record<string, string | undefined>>;

/** Options after defaults, environment and validation. */
export interface ResolvedOptions {
  apiKey: string | undefined;
  intakeUrl: string;
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
  enabled: boolean;
  strict: boolean;
  flushToLog: boolean;
}

/** `process.env` where it exists (Node, Bun, Deno with permissions); `{}` on Workers. */
export function defaultEnv(): Env {
  try {
    const env = (globalThis as { process?: { env?: Env } }).process?.env;
    return env ?? {};
  } catch {
    return {};
  }
}

function num(
  name: string,
  value: unknown,
  fallback: number,
  min: number,
  max: number,
  integer = false,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value))
    throw new TypeError(`handlerstats: option "${name}" must be a number`);
  if (value < min || value > max || (integer && !Number.isInteger(value)))
    throw new RangeError(
      `handlerstats: option "${name}" must be ${integer ? 'an integer ' : ''}between ${min} and ${max}, got ${value}`,
    );
  return value;
}

function str(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new TypeError(`handlerstats: option "${name}" must be a string`);
  return value;
}

function bool(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new TypeError(`handlerstats: option "${name}" must be a boolean`);
  return value;
}

const truthy = (v: string | undefined): boolean => v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());
const falsy = (v: string | undefined): boolean => v !== undefined && /^(0|false|no|off)$/i.test(v.trim());

function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/** Throws unless `url` is https, or http to loopback, or http with `allowInsecureHttp`. */
export function assertSecureIntake(url: URL, allowInsecureHttp: boolean | undefined): void {
  if (url.protocol === 'http:' && !isLoopback(url.hostname) && allowInsecureHttp !== true)
    throw new RangeError(
      'handlerstats: option "intakeUrl" uses plain http to a non-loopback host; use https or set allowInsecureHttp: true',
    );
}

/** The intake base URL, checked: https, or http only for loopback or with `allowInsecureHttp`. */
export function resolveIntake(options: MetricsOptions, env: Env): string {
  const explicit = str('intakeUrl', options.intakeUrl) ?? env.DD_DD_URL;
  const site = str('site', options.site) ?? env.DD_SITE ?? 'datadoghq.com';
  const raw = explicit ?? `https://api.${site.replace(/^https?:\/\//, '').replace(/^api\./, '')}`;
  if (explicit === undefined && !SITES.has(site.replace(/^api\./, '')))
    throw new RangeError(
      `handlerstats: option "site" must be a Datadog site (${[...SITES].join(', ')}), got "${site}"`,
    );
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TypeError(`handlerstats: option "intakeUrl" is not a valid URL: "${raw}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new RangeError(`handlerstats: option "intakeUrl" must be http(s), got "${url.protocol}"`);
  assertSecureIntake(url, options.allowInsecureHttp);
  if (url.username !== '' || url.password !== '' || url.search !== '')
    throw new RangeError('handlerstats: option "intakeUrl" must not carry credentials or a query string');
  return url.href.replace(/\/+$/, '');
}

/** Validates options and merges the environment. Throws TypeError/RangeError naming the option. */
export function resolveOptions(options: MetricsOptions, env: Env): ResolvedOptions {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('handlerstats: options must be an object');
  const apiKey = str('apiKey', options.apiKey) ?? env.DD_API_KEY;
  const namespace = str('namespace', options.namespace) ?? '';
  const ns = namespace
    .replace(/[^A-Za-z0-9_.]+/g, '_')
    .replace(/^[^A-Za-z]+/, '')
    .replace(/\.+$/, '');
  if (namespace !== '' && ns === '')
    throw new RangeError(`handlerstats: option "namespace" has no usable characters`);
  const userTags = options.tags;
  if (userTags !== undefined && (typeof userTags !== 'object' || userTags === null))
    throw new TypeError('handlerstats: option "tags" must be an array of strings or an object');
  const envTags = parseTagList(env.DD_TAGS);
  for (const [key, name] of [
    ['env', 'DD_ENV'],
    ['service', 'DD_SERVICE'],
    ['version', 'DD_VERSION'],
  ] as const) {
    const value = env[name];
    if (value !== undefined && value !== '') envTags.push(`${key}:${value}`);
  }
  const tags = normalizeTags(
    [...envTags, ...(Array.isArray(userTags) ? userTags : tagObject(userTags))],
    [],
  ).tags;
  const rollupInterval = num('rollupInterval', options.rollupInterval, 10, 1, 3600, true);
  const aggregates = options.histogramAggregates ?? ['max', 'median', 'avg', 'count'];
  if (!Array.isArray(aggregates) || aggregates.some((a) => !AGGREGATES.includes(a)))
    throw new RangeError(
      `handlerstats: option "histogramAggregates" must list only ${AGGREGATES.join(', ')}`,
    );
  const percentiles = options.histogramPercentiles ?? [0.95];
  if (!Array.isArray(percentiles) || percentiles.some((p) => typeof p !== 'number' || !(p > 0 && p < 1)))
    throw new RangeError(
      'handlerstats: option "histogramPercentiles" must list numbers between 0 and 1 (exclusive)',
    );
  if (options.transport !== undefined && typeof options.transport?.send !== 'function')
    throw new TypeError('handlerstats: option "transport" must have a send(request, signal) method');
  if (options.onError !== undefined && typeof options.onError !== 'function')
    throw new TypeError('handlerstats: option "onError" must be a function');
  if (options.now !== undefined && typeof options.now !== 'function')
    throw new TypeError('handlerstats: option "now" must be a function returning milliseconds');
  return checkWindow({
    apiKey: apiKey === '' ? undefined : apiKey,
    intakeUrl: resolveIntake(options, env),
    namespace: ns,
    tags,
    host: str('host', options.host) ?? '',
    rollupInterval,
    flushInterval: num('flushInterval', options.flushInterval, 10, 0, 86_400),
    flushTimeoutMs: num('flushTimeoutMs', options.flushTimeoutMs, 5000, 1, 900_000),
    maxPastSeconds: num('maxPastSeconds', options.maxPastSeconds, 3600, 0, 3600),
    maxFutureSeconds: num('maxFutureSeconds', options.maxFutureSeconds, 600, 0, 600),
    histogramAggregates: [...new Set(aggregates)],
    histogramPercentiles: [...new Set(percentiles)],
    maxBufferedPoints: num('maxBufferedPoints', options.maxBufferedPoints, 100_000, 1, 1e9, true),
    maxRetainedBuckets: num('maxRetainedBuckets', options.maxRetainedBuckets, 50_000, 1, 1e9, true),
    maxMemoryBytes: num('maxMemoryBytes', options.maxMemoryBytes, 8 * 1024 * 1024, 65_536, 2 ** 40, true),
    enabled: bool('enabled', options.enabled, !falsy(env.DD_METRICS_ENABLED)),
    strict: bool('strict', options.strict, false),
    flushToLog: truthy(env.DD_FLUSH_TO_LOG),
  });
}

/**
 * Refuses windows that expire everything: a bucket must still be inside `maxPastSeconds` when it closes,
 * and when the timer (which sends closed buckets) gets to it.
 */
function checkWindow(o: ResolvedOptions): ResolvedOptions {
  if (o.rollupInterval > o.maxPastSeconds)
    throw new RangeError(
      `handlerstats: option "maxPastSeconds" (${o.maxPastSeconds}) must be at least "rollupInterval" (${o.rollupInterval}): every bucket would age out before it closes`,
    );
  if (o.flushInterval > 0 && o.rollupInterval + o.flushInterval > o.maxPastSeconds)
    throw new RangeError(
      `handlerstats: options "rollupInterval" + "flushInterval" (${o.rollupInterval} + ${o.flushInterval} s) must not exceed "maxPastSeconds" (${o.maxPastSeconds}): closed buckets would age out before the timer sends them`,
    );
  return o;
}

function tagObject(tags: unknown): string[] {
  if (tags === undefined) return [];
  return Object.entries(tags as Record<string, unknown>).map(([k, v]) => `${k}:${String(v)}`);
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
}
