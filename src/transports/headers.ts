import type { TransportResponse } from '../types.js';

/** Library name and version in the User-Agent header. */
export const USER_AGENT = 'handlerstats/0.2.0';

/** Reads `Retry-After` (seconds or HTTP date) or `X-RateLimit-Reset` (seconds) as milliseconds. */
export function retryAfterMs(
  retryAfter: string | null | undefined,
  rateLimitReset: string | null | undefined,
  nowMs: number,
): number | undefined {
  if (retryAfter) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
    const date = Date.parse(retryAfter);
    if (Number.isFinite(date)) return Math.max(0, date - nowMs);
  }
  if (rateLimitReset) {
    const seconds = Number(rateLimitReset);
    if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  }
  return undefined;
}

/** Request headers. The API key only ever travels in `DD-API-KEY`. */
export function requestHeaders(apiKey: string, runtime: string): Record<string, string> {
  return {
    'Content-Type': 'application/json',
    'Content-Encoding': 'deflate',
    'DD-API-KEY': apiKey,
    'User-Agent': `${USER_AGENT} (${runtime})`,
  };
}

/** Replaces any occurrence of the key (e.g. echoed in an error body) with a placeholder. */
export function redact(text: string, apiKey: string | undefined): string {
  if (apiKey === undefined || apiKey.length < 4) return text;
  return text.split(apiKey).join('<redacted>');
}

/** Response bodies are kept for reports up to this many UTF-16 units. */
export const MAX_RESPONSE_BODY = 4096;

/**
 * Bytes to read of a response body: a little more than what is kept, so that a key starting before the
 * cut is read whole and redacted, never left half-visible at the end.
 */
export const readLimit = (apiKey: string): number => MAX_RESPONSE_BODY + apiKey.length;

/** Cuts at most `max` UTF-16 units without splitting a surrogate pair. */
export function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

/** A transport's answer: status (3xx included, never followed), the redacted body, the asked wait. */
export function toResponse(
  status: number,
  text: string,
  header: (name: string) => string | null | undefined,
  bytes: number,
  apiKey: string,
): TransportResponse {
  return {
    status,
    body: cut(redact(text, apiKey), MAX_RESPONSE_BODY),
    retryAfterMs: retryAfterMs(header('retry-after'), header('x-ratelimit-reset'), Date.now()),
    bytes,
  };
}

/** The first value of a Node-style header (`string | string[] | undefined`). */
export function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
