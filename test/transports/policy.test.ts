import { describe, expect, it } from 'vitest';
import { checkApiKey, checkIntakeUrl, isLoopback } from '../../src/transports/policy.js';

const SECRET = 'Zq9secretValue77';
const thrown = (fn: () => unknown): Error => {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  return expect.fail('expected a throw');
};

describe('checkIntakeUrl', () => {
  it('returns origin and path, without a trailing slash', () => {
    expect(checkIntakeUrl('https://api.datadoghq.eu/')).toBe('https://api.datadoghq.eu');
    expect(checkIntakeUrl('HTTPS://API.DATADOGHQ.COM:443')).toBe('https://api.datadoghq.com');
    expect(checkIntakeUrl('http://127.0.0.1:8428/datadog//')).toBe('http://127.0.0.1:8428/datadog');
    expect(checkIntakeUrl('http://[0:0:0:0:0:0:0:1]:9/x')).toBe('http://[::1]:9/x');
    expect(checkIntakeUrl('http://127.1')).toBe('http://127.0.0.1');
  });

  it('refuses what could carry or leak a secret, naming the option and never repeating the URL', () => {
    const cases: [string, typeof RangeError | typeof TypeError, RegExp][] = [
      [`https://user:${SECRET}@intake.example`, RangeError, /credentials/],
      [`https://${SECRET}@intake.example`, RangeError, /credentials/],
      [`https://intake.example/?api_key=${SECRET}`, RangeError, /query/],
      ['https://intake.example/?', RangeError, /query/],
      [`https://intake.example/#${SECRET}`, RangeError, /fragment/],
      ['https://intake.example/#', RangeError, /fragment/],
      [`${SECRET}://intake.example`, RangeError, /https:\/\//],
      [`http://intake.example/${SECRET}`, RangeError, /allowInsecureHttp/],
      [`not a url ${SECRET}`, TypeError, /not a valid URL/],
    ];
    for (const [url, type, message] of cases) {
      const error = thrown(() => checkIntakeUrl(url, { option: 'DD_DD_URL' }));
      expect(error, url).toBeInstanceOf(type);
      expect(error.message, url).toMatch(/^handlerstats: option "DD_DD_URL" /);
      expect(error.message, url).toMatch(message);
      expect(error.message, url).not.toContain(SECRET);
    }
    expect(() => checkIntakeUrl(42 as never)).toThrow(
      new TypeError('handlerstats: option "intakeUrl" must be a string'),
    );
  });

  it('plain http only to loopback, unless allowInsecureHttp is exactly true', () => {
    for (const url of ['http://localhost:1', 'http://127.8.9.10', 'http://[::1]'])
      expect(checkIntakeUrl(url), url).toBe(url);
    for (const allowInsecureHttp of [undefined, false, 'true' as never, 1 as never])
      expect(() => checkIntakeUrl('http://10.0.0.1', { allowInsecureHttp })).toThrow(RangeError);
    expect(checkIntakeUrl('http://10.0.0.1', { allowInsecureHttp: true })).toBe('http://10.0.0.1');
  });

  it('isLoopback: names and addresses as the URL parser writes them', () => {
    for (const h of ['localhost', '127.0.0.1', '127.255.0.9', '[::1]', '::1'])
      expect(isLoopback(h), h).toBe(true);
    for (const h of [
      'localhost.',
      'localhost.example',
      '127.0.0.1.nip.io',
      '[::ffff:127.0.0.1]',
      '0.0.0.0',
      '10.0.0.1',
    ])
      expect(isLoopback(h), h).toBe(false);
  });
});

describe('checkApiKey', () => {
  it('trims surrounding whitespace; an empty key stays empty', () => {
    expect(checkApiKey(`\t ${SECRET}\r\n`)).toBe(SECRET);
    expect(checkApiKey(`\ufeff${SECRET}`)).toBe(SECRET);
    expect(checkApiKey('  ')).toBe('');
  });

  it('refuses control characters left inside, with one message that never repeats the key', () => {
    for (const key of [
      `${SECRET}\nX-Injected: 1`,
      `${SECRET}\u0000`,
      `a\t${SECRET}`,
      `${SECRET}\u007f`,
      `${SECRET}\u009b`,
    ]) {
      const error = thrown(() => checkApiKey(key));
      expect(error).toEqual(new TypeError('handlerstats: option "apiKey" contains control characters'));
      expect(error.message).not.toContain(SECRET);
    }
    expect(thrown(() => checkApiKey('a\nb', 'DD_API_KEY')).message).toBe(
      'handlerstats: option "DD_API_KEY" contains control characters',
    );
  });

  it('refuses characters outside printable ASCII, and non-strings', () => {
    for (const key of [`${SECRET}é`, `${SECRET}\u20ac`, `${SECRET}\ud800`])
      expect(() => checkApiKey(key)).toThrow(
        new TypeError('handlerstats: option "apiKey" contains non-ASCII characters'),
      );
    expect(() => checkApiKey(undefined as never)).toThrow(
      new TypeError('handlerstats: option "apiKey" must be a string'),
    );
    expect(checkApiKey('a b')).toBe('a b'); // a space is allowed in a header value
  });
});
