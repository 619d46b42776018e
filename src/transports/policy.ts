// The one URL and header policy: every transport factory applies it at creation, and so does createMetrics.
// No message ever repeats the URL or the key: either may carry a secret.

export interface IntakeUrlOptions {
  /** Allow `http://` to a non-loopback host (the key would travel in clear text). Only `true` counts. */
  allowInsecureHttp?: boolean;
  /** Name used in error messages. Default `intakeUrl`. */
  option?: string;
}

/** localhost, 127.0.0.0/8 and ::1 (as the URL parser writes them: `127.1` is already `127.0.0.1`). */
export function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/**
 * Checks an intake base URL and returns it normalized (`origin` + path, no trailing slash): http(s) only,
 * no `user:password@`, no query, no fragment, plain `http:` only to loopback unless `allowInsecureHttp`.
 * Throws a `TypeError` (not a string, not a URL) or a `RangeError` naming the option.
 * @example
 * checkIntakeUrl('http://127.0.0.1:8428/datadog/'); // 'http://127.0.0.1:8428/datadog'
 */
export function checkIntakeUrl(url: string, opts: IntakeUrlOptions = {}): string {
  const name = `handlerstats: option "${opts.option ?? 'intakeUrl'}"`;
  if (typeof url !== 'string') throw new TypeError(`${name} must be a string`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`${name} is not a valid URL`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw new RangeError(`${name} must be an https:// (or loopback http://) URL`);
  if (parsed.username !== '' || parsed.password !== '')
    throw new RangeError(`${name} must not carry credentials (user:password@); pass the key as apiKey`);
  // `href` keeps an empty `?` or `#` that `search` and `hash` report as ''.
  if (parsed.href.includes('?'))
    throw new RangeError(`${name} must not carry a query string; pass the key as apiKey`);
  if (parsed.href.includes('#')) throw new RangeError(`${name} must not carry a fragment`);
  if (parsed.protocol === 'http:' && !isLoopback(parsed.hostname) && opts.allowInsecureHttp !== true)
    throw new RangeError(
      `${name} uses plain http to a non-loopback host; use https or set allowInsecureHttp: true`,
    );
  return parsed.origin + parsed.pathname.replace(/\/+$/, '');
}

// C0 controls, DEL and C1 controls; then anything else outside printable ASCII.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const NOT_PRINTABLE_ASCII = /[^\u0020-\u007e]/;

/**
 * Checks an API key for the `DD-API-KEY` header and returns it trimmed. Throws a `TypeError` when it is
 * not a string, when control characters are left inside, or when it holds characters outside printable
 * ASCII (which no runtime sends the same way in a header). The message never repeats the key. An empty
 * key is returned as `''` (the caller decides what no key means).
 * @example
 * checkApiKey(' 0123abcd\n'); // '0123abcd'
 */
export function checkApiKey(key: string, option = 'apiKey'): string {
  const name = `handlerstats: option "${option}"`;
  if (typeof key !== 'string') throw new TypeError(`${name} must be a string`);
  const trimmed = key.trim();
  if (CONTROL.test(trimmed)) throw new TypeError(`${name} contains control characters`);
  if (NOT_PRINTABLE_ASCII.test(trimmed)) throw new TypeError(`${name} contains non-ASCII characters`);
  return trimmed;
}
