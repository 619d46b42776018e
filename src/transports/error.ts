import { redact } from './headers.js';

/**
 * What a transport throws: a fresh `Error` whose message summarises the cause chain (codes and redacted
 * messages) and nothing else. It has no `cause`: runtime errors carry request and response bytes
 * (`rawPacket`, `data`, sockets) that can hold the API key.
 */
export interface TransportError extends Error {
  /** The first string code found down the cause chain, else `ERR_INVALID_REQUEST` / `ERR_NETWORK`. */
  readonly code: string;
  /** The request could not even be built (bad header, path, argument): retrying cannot help. */
  readonly local?: true;
}

/** Codes of errors raised while a request is being built, before anything reached the network. */
const LOCAL_CODES = new Set([
  'ERR_INVALID_CHAR',
  'ERR_HTTP_INVALID_HEADER_VALUE',
  'ERR_INVALID_HTTP_TOKEN',
  'ERR_UNESCAPED_CHARACTERS',
  'ERR_INVALID_URL',
  'ERR_INVALID_PROTOCOL',
  'ERR_INVALID_ARG_TYPE',
  'ERR_INVALID_ARG_VALUE',
  'UND_ERR_INVALID_ARG',
  'UND_ERR_NOT_SUPPORTED',
]);
const CODE = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const MAX_PART = 200;
const MAX_PARTS = 6;

/** The chain as `[code, message]` pairs: `cause` links and `AggregateError.errors`, depth-first. */
function chain(error: unknown, out: [string | undefined, string][], seen: Set<unknown>): void {
  if (out.length >= MAX_PARTS || seen.has(error)) return;
  seen.add(error);
  if (typeof error !== 'object' || error === null) {
    out.push([undefined, typeof error === 'string' ? error : `thrown ${typeof error}`]);
    return;
  }
  const { code, message, cause, errors } = error as Record<string, unknown>;
  out.push([
    typeof code === 'string' && CODE.test(code) ? code : undefined,
    typeof message === 'string' ? message : 'error without a message',
  ]);
  if (Array.isArray(errors)) for (const e of errors.slice(0, MAX_PARTS)) chain(e, out, seen);
  if (cause !== undefined) chain(cause, out, seen);
}

/** Replaces the key, strips control characters, bounds the length. */
function clean(text: string, apiKey: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: that is the point
  const safe = redact(text, apiKey).replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ');
  return safe.length > MAX_PART ? `${safe.slice(0, MAX_PART)}…` : safe;
}

/**
 * Turns anything a runtime threw into a {@link TransportError}. Reading the chain is guarded: a hostile
 * getter cannot make this throw.
 */
export function transportError(cause: unknown, apiKey: string, local = false): TransportError {
  const parts: [string | undefined, string][] = [];
  try {
    chain(cause, parts, new Set());
  } catch {
    parts.push([undefined, 'unreadable error']);
  }
  for (const part of parts)
    if (part[0] !== undefined && redact(part[0], apiKey) !== part[0]) part[0] = undefined;
  const code = parts.find(([c]) => c !== undefined)?.[0];
  const isLocal = local || (code !== undefined && LOCAL_CODES.has(code));
  const text = parts.map(([c, m]) => (c === undefined ? clean(m, apiKey) : `${c} ${clean(m, apiKey)}`));
  const error = new Error(text.join('; caused by ')) as Error & { code: string; local?: true };
  error.code = code ?? (isLocal ? 'ERR_INVALID_REQUEST' : 'ERR_NETWORK');
  if (isLocal) error.local = true;
  return error;
}
