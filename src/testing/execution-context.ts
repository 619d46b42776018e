// A Workers ExecutionContext for tests outside workerd: it keeps what was handed to `waitUntil`, as the
// runtime keeps the isolate alive for it, and `settled()` waits for all of it (vitest-pool-workers has its
// own, `createExecutionContext` / `waitOnExecutionContext` from `cloudflare:test`, for tests inside workerd).

export interface TestExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
  passThroughOnException(): void;
  readonly props: Record<string, unknown>;
  /** Every promise handed to `waitUntil`, in order. */
  readonly waited: readonly Promise<unknown>[];
  /** Whether `passThroughOnException()` was called. */
  readonly passedThrough: boolean;
  /**
   * Resolves once every promise handed to `waitUntil` has settled, those handed over meanwhile included,
   * with their outcomes in order. Never rejects: a rejected `waitUntil` promise does not fail a request.
   */
  settled(): Promise<PromiseSettledResult<unknown>[]>;
}

/**
 * A Workers `ExecutionContext` that collects what is handed to `waitUntil`.
 * @example
 * const ctx = createExecutionContext();
 * const response = await worker.fetch(new Request('https://shop.test/'), env, ctx); // withFetchMetrics
 * await ctx.settled(); // the flush handed to waitUntil is done
 * expect(transport.requests).toHaveLength(1);
 */
export function createExecutionContext(props: Record<string, unknown> = {}): TestExecutionContext {
  const waited: Promise<unknown>[] = [];
  let passedThrough = false;
  return {
    props,
    waited,
    get passedThrough() {
      return passedThrough;
    },
    waitUntil(promise) {
      // The runtime takes any value and waits for it as a promise; a rejection never escapes unhandled.
      const p = Promise.resolve(promise);
      p.catch(() => {});
      waited.push(p);
    },
    passThroughOnException() {
      passedThrough = true;
    },
    async settled() {
      let seen = -1;
      let outcomes: PromiseSettledResult<unknown>[] = [];
      while (seen !== waited.length) {
        seen = waited.length;
        outcomes = await Promise.allSettled(waited.slice());
      }
      return outcomes;
    },
  };
}
