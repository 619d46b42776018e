import { describe, expect, it } from 'vitest';
import { resolveIntake, resolveOptions } from '../src/options.js';

describe('options', () => {
  it('defaults', () => {
    const o = resolveOptions({}, {});
    expect(o).toMatchObject({
      intakeUrl: 'https://api.datadoghq.com',
      rollupInterval: 10,
      flushInterval: 10,
      flushTimeoutMs: 5000,
      maxPastSeconds: 3600,
      maxFutureSeconds: 600,
      histogramAggregates: ['max', 'median', 'avg', 'count'],
      histogramPercentiles: [0.95],
      enabled: true,
      host: '',
    });
  });

  it.each([
    ['datadoghq.eu', 'https://api.datadoghq.eu'],
    ['us3.datadoghq.com', 'https://api.us3.datadoghq.com'],
    ['us5.datadoghq.com', 'https://api.us5.datadoghq.com'],
    ['ap1.datadoghq.com', 'https://api.ap1.datadoghq.com'],
    ['ap2.datadoghq.com', 'https://api.ap2.datadoghq.com'],
    ['ddog-gov.com', 'https://api.ddog-gov.com'],
  ])('DD_SITE=%s → %s', (site, url) => {
    expect(resolveIntake({}, { DD_SITE: site })).toBe(url);
  });

  it('DD_DD_URL and intakeUrl; plain http only for loopback or when allowed', () => {
    expect(resolveIntake({}, { DD_DD_URL: 'http://127.0.0.1:8428/datadog/' })).toBe(
      'http://127.0.0.1:8428/datadog',
    );
    expect(resolveIntake({ intakeUrl: 'http://[::1]:9/x' }, {})).toBe('http://[::1]:9/x');
    expect(() => resolveIntake({ intakeUrl: 'http://intake.example:80' }, {})).toThrow(/allowInsecureHttp/);
    expect(resolveIntake({ intakeUrl: 'http://intake.example', allowInsecureHttp: true }, {})).toBe(
      'http://intake.example',
    );
    expect(() => resolveIntake({ intakeUrl: 'ftp://x' }, {})).toThrow(RangeError);
    expect(() => resolveIntake({ intakeUrl: 'https://x/?api_key=1' }, {})).toThrow(/query/);
    expect(() => resolveIntake({ intakeUrl: 'not a url' }, {})).toThrow(TypeError);
  });

  it('environment switches', () => {
    expect(resolveOptions({}, { DD_METRICS_ENABLED: 'false' }).enabled).toBe(false);
    expect(resolveOptions({}, { DD_FLUSH_TO_LOG: 'true' }).flushToLog).toBe(true);
    expect(resolveOptions({}, { DD_API_KEY: 'k' }).apiKey).toBe('k');
    expect(resolveOptions({ apiKey: 'o' }, { DD_API_KEY: 'k' }).apiKey).toBe('o');
  });

  it.each([
    [{ rollupInterval: 2.5 }, RangeError, 'rollupInterval'],
    [{ flushInterval: -1 }, RangeError, 'flushInterval'],
    [{ flushTimeoutMs: 0 }, RangeError, 'flushTimeoutMs'],
    [{ maxPastSeconds: 7200 }, RangeError, 'maxPastSeconds'],
    [{ maxBufferedPoints: 0 }, RangeError, 'maxBufferedPoints'],
    [{ namespace: 5 }, TypeError, 'namespace'],
    [{ namespace: '!!' }, RangeError, 'namespace'],
    [{ tags: 'a:b' }, TypeError, 'tags'],
    [{ transport: {} }, TypeError, 'transport'],
    [{ onError: 1 }, TypeError, 'onError'],
    [{ now: 1 }, TypeError, 'now'],
    [{ enabled: 'yes' }, TypeError, 'enabled'],
  ])('%j throws %s naming the option', (opts, type, name) => {
    expect(() => resolveOptions(opts as never, {})).toThrow(type);
    expect(() => resolveOptions(opts as never, {})).toThrow(name);
  });
});
