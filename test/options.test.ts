import { describe, expect, it } from 'vitest';
import { resolveOptions } from '../src/client/options.js';
import { createMetrics, type MetricsError } from '../src/index.js';
import { createMemoryTransport } from '../src/testing.js';

const resolve = (options: object, env: Record<string, string> = {}) => resolveOptions(options as never, env);

describe('options written in code', () => {
  it('defaults', () => {
    expect(resolve({}).o).toMatchObject({
      intakeUrl: 'https://api.datadoghq.com',
      rollupInterval: 10,
      flushInterval: 10,
      flushTimeoutMs: 5000,
      maxPastSeconds: 3600,
      maxFutureSeconds: 600,
      histogramAggregates: ['max', 'median', 'avg', 'count'],
      histogramPercentiles: [0.95],
      maxMemoryBytes: 8 * 1024 * 1024,
      sendAs: 'native',
      enabled: true,
      host: '',
      background: false,
    });
  });

  it.each([
    ['datadoghq.eu', 'https://api.datadoghq.eu'],
    ['us3.datadoghq.com', 'https://api.us3.datadoghq.com'],
    ['us5.datadoghq.com', 'https://api.us5.datadoghq.com'],
    ['ap1.datadoghq.com', 'https://api.ap1.datadoghq.com'],
    ['ap2.datadoghq.com', 'https://api.ap2.datadoghq.com'],
    ['ddog-gov.com', 'https://api.ddog-gov.com'],
  ])('site %s → %s (from code or DD_SITE)', (site, url) => {
    expect(resolve({ site }).o.intakeUrl).toBe(url);
    expect(resolve({}, { DD_SITE: site }).o.intakeUrl).toBe(url);
  });

  it('intakeUrl: plain http only for loopback or when allowed; no credentials, query or fragment', () => {
    expect(resolve({ intakeUrl: 'http://127.0.0.1:8428/datadog/' }).o.intakeUrl).toBe(
      'http://127.0.0.1:8428/datadog',
    );
    expect(resolve({ intakeUrl: 'http://[::1]:9/x' }).o.intakeUrl).toBe('http://[::1]:9/x');
    expect(() => resolve({ intakeUrl: 'http://intake.example:80' })).toThrow(/allowInsecureHttp/);
    expect(resolve({ intakeUrl: 'http://intake.example', allowInsecureHttp: true }).o.intakeUrl).toBe(
      'http://intake.example',
    );
    expect(() => resolve({ intakeUrl: 'ftp://x' })).toThrow(RangeError);
    expect(() => resolve({ intakeUrl: 'https://x/?api_key=1' })).toThrow(/query/);
    expect(() => resolve({ intakeUrl: 'https://user:secret@x/' })).toThrow(/credentials/);
    expect(() => resolve({ intakeUrl: 'https://user:secret@x/' })).not.toThrow(/secret/);
    expect(() => resolve({ intakeUrl: 'not a url' })).toThrow(TypeError);
  });

  it('the API key is trimmed; control characters left inside throw, never echoing the key', () => {
    expect(resolve({ apiKey: '  abc123\n' }).o.apiKey).toBe('abc123');
    expect(() => resolve({ apiKey: 'abc\n123' })).toThrow(TypeError);
    expect(() => resolve({ apiKey: 'abc\n123' })).toThrow(/apiKey/);
    expect(() => resolve({ apiKey: 'abc\n123' })).not.toThrow(/abc/);
  });

  it('an unknown key throws, naming it (a typo must not keep a default)', () => {
    expect(() => resolve({ sendAS: 'distribution' })).toThrow(TypeError);
    expect(() => resolve({ sendAS: 'distribution' })).toThrow(/"sendAS"/);
    expect(() => resolve({ flushIntervall: 0, nameSpace: 'x' })).toThrow(/"flushIntervall", "nameSpace"/);
  });

  it.each([
    [{ rollupInterval: 2.5 }, RangeError, 'rollupInterval'],
    [{ flushInterval: -1 }, RangeError, 'flushInterval'],
    [{ flushTimeoutMs: 0 }, RangeError, 'flushTimeoutMs'],
    [{ maxPastSeconds: 7200 }, RangeError, 'maxPastSeconds'],
    [{ maxBufferedPoints: 0 }, RangeError, 'maxBufferedPoints'],
    [{ maxMemoryBytes: 1000 }, RangeError, 'maxMemoryBytes'],
    [{ namespace: 5 }, TypeError, 'namespace'],
    [{ namespace: '!!' }, RangeError, 'namespace'],
    [{ tags: 'a:b' }, TypeError, 'tags'],
    [{ transport: {} }, TypeError, 'transport'],
    [{ onError: 1 }, TypeError, 'onError'],
    [{ now: 1 }, TypeError, 'now'],
    [{ enabled: 'yes' }, TypeError, 'enabled'],
    [{ site: 'datadog.com' }, RangeError, 'site'],
    [{ sendAs: 'distributions' }, RangeError, 'sendAs'],
    [{ allowInsecureHttp: 'yes' }, TypeError, 'allowInsecureHttp'],
  ])('%j throws %s naming the option', (opts, type, name) => {
    expect(() => resolve(opts)).toThrow(type);
    expect(() => resolve(opts)).toThrow(name);
  });
});

describe('values from the environment: an unusable one is reported and falls back, never throws', () => {
  it.each([
    [{ DD_SITE: 'datadog.com' }, 'DD_SITE', true],
    [{ DD_DD_URL: 'http://intake.example' }, 'DD_DD_URL', true],
    [{ DD_DD_URL: 'not a url' }, 'DD_DD_URL', true],
    [{ DD_DD_URL: 'https://u:p@x/' }, 'DD_DD_URL', true],
    [{ DD_API_KEY: 'abc\u0007def' }, 'DD_API_KEY', true],
    [{ DD_METRICS_ENABLED: 'nope' }, 'DD_METRICS_ENABLED', false],
    [{ DD_FLUSH_TO_LOG: 'maybe' }, 'DD_FLUSH_TO_LOG', false],
  ])('%j → reported as %s%s', (env, variable, toLog) => {
    const { o, problems } = resolve({}, { DD_API_KEY: 'k', ...env });
    expect(problems.map((p) => p.variable)).toEqual([variable]);
    expect(problems[0]!.message).toContain(variable);
    expect(o.toLog !== undefined).toBe(toLog);
  });

  it('createMetrics with a bad DD_SITE works, writes to the log, and says why once', () => {
    const errors: MetricsError[] = [];
    const metrics = createMetrics({
      env: { DD_SITE: 'datadog.com', DD_API_KEY: 'k' },
      onError: (e) => errors.push(e),
      flushInterval: 0,
    });
    metrics.increment('c');
    expect(errors.map((e) => [e.code, e.details?.variable])).toEqual([['INVALID_ENV', 'DD_SITE']]);
    expect(metrics.stats().errors).toMatchObject({ INVALID_ENV: 1 });
  });

  it('a DD_API_KEY with a trailing newline (from a secret file) is trimmed', () => {
    expect(resolve({}, { DD_API_KEY: 'abc123\n' }).o.apiKey).toBe('abc123');
  });

  it('switches', () => {
    expect(resolve({}, { DD_METRICS_ENABLED: 'false' }).o.enabled).toBe(false);
    expect(resolve({}, { DD_FLUSH_TO_LOG: 'true' }).o.toLog).toBe('DD_FLUSH_TO_LOG');
    expect(resolve({}, { DD_API_KEY: 'k' }).o.apiKey).toBe('k');
    expect(resolve({ apiKey: 'o' }, { DD_API_KEY: 'k' }).o.apiKey).toBe('o');
  });

  it('Lambda Managed Instances: background flushing, a smaller memory budget per worker thread', () => {
    const mi = resolve({}, { AWS_LAMBDA_FUNCTION_NAME: 'f', AWS_LAMBDA_MAX_CONCURRENCY: '8' }).o;
    expect(mi).toMatchObject({ background: true, maxMemoryBytes: 4 * 1024 * 1024 });
  });

  it('an explicit transport is used as given', () => {
    const transport = createMemoryTransport();
    const metrics = createMetrics({
      transport,
      env: { DD_SITE: 'nope' },
      onError: () => {},
      flushInterval: 0,
    });
    expect(metrics.stats().errors).toMatchObject({ INVALID_ENV: 1 });
  });
});
