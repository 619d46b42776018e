import { BACKGROUND_FLUSH, type Metrics, REPORT_ERROR } from '../client.js';
import { MetricsError } from '../errors.js';

/** The part of the Lambda context handlerstats reads (declared here: no @types/aws-lambda needed). */
export interface LambdaContextLike {
  getRemainingTimeInMillis?: () => number;
  /** Matches the invocation with the extension's INVOKE event (after-response mode). */
  awsRequestId?: string;
}

export interface DeadlineOptions {
  deadlineMarginMs?: number;
  flushTimeoutMs?: number;
}

const DEFAULT_MARGIN_MS = 500;

/** Hands an error an integration caught to the client's `onError` (never to the handler); no client: the console. */
export function reportError(metrics: Metrics | undefined, error: unknown): void {
  const report =
    typeof metrics === 'object' && metrics !== null
      ? (metrics as Partial<Record<typeof REPORT_ERROR, (e: unknown) => void>>)[REPORT_ERROR]
      : undefined;
  if (typeof report === 'function') report(error);
  else console.warn(`[handlerstats] ${error instanceof Error ? error.message : String(error)}`);
}

/** Milliseconds the flush may take: never past the invocation's own deadline minus the margin. */
export function flushBudget(
  context: LambdaContextLike | undefined,
  options: DeadlineOptions,
): number | undefined {
  const remaining =
    typeof context?.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : undefined;
  const margin = options.deadlineMarginMs ?? DEFAULT_MARGIN_MS;
  const fromContext =
    typeof remaining === 'number' && Number.isFinite(remaining) ? remaining - margin : undefined;
  if (fromContext === undefined) return options.flushTimeoutMs;
  return Math.min(options.flushTimeoutMs ?? Number.POSITIVE_INFINITY, fromContext);
}

/** Flushes within the invocation's budget; never throws. Returns whether everything was delivered. */
export async function flushWithin(
  metrics: Metrics,
  context: LambdaContextLike | undefined,
  options: DeadlineOptions,
): Promise<boolean> {
  if (typeof (metrics as Partial<Metrics> | undefined)?.flush !== 'function') {
    reportError(
      metrics,
      new TypeError(
        'handlerstats: the integration was given no metrics client (a factory returned nothing?)',
      ),
    );
    return false;
  }
  // Lambda Managed Instances: never frozen and several invocations at once, so no response waits for a
  // flush; the client's timer (or a flush started here, not awaited) sends in the background.
  const background = (metrics as Partial<Record<typeof BACKGROUND_FLUSH, (() => void) | undefined>>)[
    BACKGROUND_FLUSH
  ];
  if (typeof background === 'function') {
    background();
    return true;
  }
  let budget: number | undefined;
  try {
    budget = flushBudget(context, options);
  } catch (error) {
    // A context whose getRemainingTimeInMillis throws: flush with the client's own deadline.
    reportError(
      metrics,
      new MetricsError('INTEGRATION_ERROR', 'getRemainingTimeInMillis() threw', { cause: error }),
    );
    budget = options.flushTimeoutMs;
  }
  if (budget !== undefined && budget <= 0) {
    reportError(
      metrics,
      new MetricsError(
        'DEADLINE_EXCEEDED',
        'no time left in the invocation to flush; metrics carried to the next one',
      ),
    );
    return false;
  }
  try {
    await metrics.flush(budget === undefined ? undefined : { timeoutMs: budget });
    return true;
  } catch (error) {
    reportError(metrics, error);
    return false;
  }
}

/** Checks the options every Lambda integration shares; throws TypeError/RangeError naming the option. */
export function checkIntegrationOptions(options: DeadlineOptions & { coldStartMetric?: unknown }): void {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('handlerstats: options must be an object');
  const margin = options.deadlineMarginMs;
  if (margin !== undefined && (typeof margin !== 'number' || !(margin >= 0)))
    throw new RangeError('handlerstats: option "deadlineMarginMs" must be a non-negative number');
  const timeout = options.flushTimeoutMs;
  if (timeout !== undefined && (typeof timeout !== 'number' || !(timeout >= 1)))
    throw new RangeError('handlerstats: option "flushTimeoutMs" must be a number of milliseconds ≥ 1');
  if (options.coldStartMetric !== undefined && typeof options.coldStartMetric !== 'string')
    throw new TypeError('handlerstats: option "coldStartMetric" must be a string');
}
