import type { TransportResponse } from '../types.js';

/** Library name and version in the User-Agent header. */
export const USER_AGENT = 'handlerstats/0.1.0';

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

/** A transport's answer: status, the (redacted) body, and how long the intake asked us to wait. */
export function toResponse(
  status: number,
  text: string,
  header: (name: string) => string | null | undefined,
  bytes: number,
  apiKey: string,
): TransportResponse {
  return {
    status,
    body: redact(text, apiKey),
    retryAfterMs: retryAfterMs(header('retry-after'), header('x-ratelimit-reset'), Date.now()),
    bytes,
  };
}

/** The first value of a Node-style header (`string | string[] | undefined`). */
export function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
