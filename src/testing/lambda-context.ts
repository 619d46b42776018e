// A Lambda context for tests, shaped like the one the Node.js runtime passes (and like `Context` of
// @types/aws-lambda, so a handler typed with it accepts this one), with a deadline you choose.

export interface LambdaContextOptions {
  /** Time left when the context is created, in ms (the invocation's deadline). Default 3000 (Lambda's default timeout). */
  remainingMs?: number;
  /** The clock `getRemainingTimeInMillis()` reads, in ms. Default `Date.now` (fake timers move it). */
  now?: () => number;
  /** Default `'test-function'`; the ARN and log group are derived from it. */
  functionName?: string;
  /** Default a random UUID, as Lambda's. */
  awsRequestId?: string;
  /** Default `'128'` (a string, as Lambda gives it). */
  memoryLimitInMB?: string;
}

/** The Node.js runtime's context object, as far as its shape goes. */
export interface TestLambdaContext {
  callbackWaitsForEmptyEventLoop: boolean;
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  awsRequestId: string;
  logGroupName: string;
  logStreamName: string;
  /** Milliseconds until the deadline: never negative. */
  getRemainingTimeInMillis(): number;
  /** The runtime's legacy callbacks: not emulated, they throw (return a value or throw instead). */
  done(error?: Error, result?: unknown): void;
  fail(error: Error | string): void;
  succeed(messageOrObject: unknown): void;
  succeed(message: string, object: unknown): void;
}

const legacy = (name: string) => (): never => {
  throw new Error(`handlerstats/testing: context.${name}() is not emulated; return a value or throw`);
};

/**
 * A Lambda context whose `getRemainingTimeInMillis()` counts down from `remainingMs`: the deadline the
 * handlerstats wrappers flush within (minus `deadlineMarginMs`).
 * @example
 * const context = createLambdaContext({ remainingMs: 1000 });
 * await handler({ plan: 'pro' }, context); // a handler wrapped with withMetrics
 * expect(transport.requests).toHaveLength(1);
 */
export function createLambdaContext(options: LambdaContextOptions = {}): TestLambdaContext {
  const now = options.now ?? Date.now;
  const deadline = now() + (options.remainingMs ?? 3000);
  const functionName = options.functionName ?? 'test-function';
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: options.memoryLimitInMB ?? '128',
    awsRequestId: options.awsRequestId ?? globalThis.crypto.randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2024/01/01/[$LATEST]00000000000000000000000000000000',
    getRemainingTimeInMillis: () => Math.max(0, deadline - now()),
    done: legacy('done'),
    fail: legacy('fail'),
    succeed: legacy('succeed'),
  };
}
