import { describe, expect, it } from 'vitest';
import { createMetrics, type MetricsError, type MetricsOptions } from '../../src/index.js';

// Only construction is exercised: nothing here opens a connection.
const KEY = 'plainhttp0canary0key';

function attempt(options: MetricsOptions): unknown {
  try {
    createMetrics({ apiKey: KEY, flushInterval: 0, env: {}, ...options });
    return undefined;
  } catch (error) {
    return error;
  }
}

const NOT_LOOPBACK = [
  'http://api.datadoghq.com',
  'http://198.51.100.7:8080',
  'http://10.0.0.1',
  'http://0.0.0.0:8080',
  'http://127.0.0.1.nip.io', // a DNS name that resolves to loopback is still a name someone else controls
  'http://localhost.example.com',
  'http://localhost.',
  'http://[::ffff:127.0.0.1]', // IPv4-mapped: refused (conservative), https works
  'http://[fe80::1]',
  'http://intake.invalid:8080',
  'HTTP://EXAMPLE.COM',
];
const LOOPBACK = [
  'http://127.0.0.1:8428/datadog',
  'http://127.8.9.10',
  'http://localhost:8126',
  'http://[::1]:8080',
  'http://127.1', // the URL parser writes it as 127.0.0.1
  'http://0x7f000001', // likewise
];

describe('no plain-http intake outside loopback without allowInsecureHttp', () => {
  it('refuses plain http to a non-loopback host: the option throws, DD_DD_URL falls back to the log', () => {
    for (const url of NOT_LOOPBACK) {
      const error = attempt({ intakeUrl: url });
      expect(error, url).toBeInstanceOf(RangeError);
      expect((error as Error).message).toMatch(/^handlerstats: option "intakeUrl".*allowInsecureHttp/);
      expect((error as Error).message).not.toContain(KEY);
      // From the environment: a deploy-time value never fails a handler; nothing goes to that host.
      const reported: MetricsError[] = [];
      const lines: string[] = [];
      const log = console.log;
      console.log = (line: string) => void lines.push(line);
      try {
        const metrics = createMetrics({
          apiKey: KEY,
          flushInterval: 0,
          env: { DD_DD_URL: url },
          onError: (e) => reported.push(e),
        });
        metrics.increment('c');
        expect(
          reported.map((e) => [e.code, e.details?.variable]),
          url,
        ).toEqual([['INVALID_ENV', 'DD_DD_URL']]);
        expect(reported[0]?.message).not.toContain(KEY);
      } finally {
        console.log = log;
      }
    }
  });

  it('allowInsecureHttp must be exactly true; DD_* variables cannot turn it on', () => {
    const url = 'http://198.51.100.7:8080';
    for (const allowInsecureHttp of ['true', 1, {}, 'yes']) {
      const error = attempt({ intakeUrl: url, allowInsecureHttp: allowInsecureHttp as never });
      expect(error instanceof TypeError || error instanceof RangeError, String(allowInsecureHttp)).toBe(true);
    }
    const reported: MetricsError[] = [];
    const env = { DD_DD_URL: url, DD_ALLOW_INSECURE_HTTP: 'true', DD_ALLOWINSECUREHTTP: 'true' };
    createMetrics({ apiKey: KEY, flushInterval: 0, env, onError: (e) => reported.push(e) });
    expect(reported.map((e) => e.details?.variable)).toEqual(['DD_DD_URL']);
    expect(attempt({ intakeUrl: url, allowInsecureHttp: true })).toBeUndefined();
  });

  it('accepts loopback over http and anything over https', () => {
    for (const url of LOOPBACK) expect(attempt({ intakeUrl: url }), url).toBeUndefined();
    for (const url of NOT_LOOPBACK.slice(0, 4).map((u) => u.replace('http://', 'https://')))
      expect(attempt({ intakeUrl: url }), url).toBeUndefined();
  });

  it('a site is always https', () => {
    for (const site of ['datadoghq.eu', 'us5.datadoghq.com', 'api.datadoghq.eu'])
      expect(attempt({ site }), site).toBeUndefined();
    for (const site of [
      'example.com',
      'http://datadoghq.eu',
      'datadoghq.com.evil.io',
      'datadoghq.com/x',
      'datadoghq.com:80',
    ])
      expect(attempt({ site }), site).toBeInstanceOf(RangeError);
  });
});
