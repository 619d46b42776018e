/** Every code a {@link MetricsError} can carry. Match on `code`, not on the message. */
export const ERROR_CODES = [
  'INVALID_VALUE',
  'INVALID_NAME',
  'INVALID_TAG',
  'INVALID_HOST',
  'INVALID_TIMESTAMP',
  'TIMESTAMP_MILLISECONDS',
  'OUT_OF_WINDOW',
  'EXPIRED',
  'OVERFLOW',
  'EVICTED',
  'NAME_COLLISION',
  'NAME_NORMALIZED',
  'EVENT_FIELD',
  'MISSING_API_KEY',
  'INVALID_ENV',
  'FLUSH_FAILED',
  'DEADLINE_EXCEEDED',
  'ABORTED',
  'NETWORK_ERROR',
  'HTTP_ERROR',
  'HTTP_REDIRECT',
  'BAD_REQUEST',
  'API_KEY_REJECTED',
  'PAYLOAD_TOO_LARGE',
  'CLOSED',
  'INTEGRATION_ERROR',
] as const;

export type MetricsErrorCode = (typeof ERROR_CODES)[number];

/**
 * The one error type handlerstats reports or throws.
 * @example
 * try { await metrics.flush(); } catch (e) { if (isMetricsError(e) && e.code === 'DEADLINE_EXCEEDED') {} }
 */
export class MetricsError extends Error {
  readonly code: MetricsErrorCode;
  /** Extra facts (status, path, counts). Never contains the API key. */
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(
    code: MetricsErrorCode,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MetricsError';
    this.code = code;
    this.details = options?.details;
  }
}

const codes: ReadonlySet<string> = new Set(ERROR_CODES);

/** True for a {@link MetricsError} (also across bundled copies: checks `code`). */
export function isMetricsError(error: unknown): error is MetricsError {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { name?: unknown }).name === 'MetricsError' &&
    codes.has((error as { code?: unknown }).code as string)
  );
}
