import { type MethodDecorator, methodDecorator } from '../decorate.js';
import type { MetricOptions } from '../types.js';

/** `metrics.timed`: times a function call, or decorates a method. Records milliseconds as a timing. */
export interface Timed {
  /** Calls `fn`, records its duration (also when it throws or rejects) and returns its result. */
  <T>(name: string, fn: () => T, options?: MetricOptions): T;
  /** A method decorator (TC39 standard or `experimentalDecorators`). */
  (name: string, options?: MetricOptions): MethodDecorator;
}

type Recorder = (name: string, ms: number, options: MetricOptions | undefined) => void;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function timeCall<T>(record: Recorder, name: string, options: MetricOptions | undefined, call: () => T): T {
  const start = performance.now();
  const done = (): void => record(name, performance.now() - start, options);
  let result: T;
  try {
    result = call();
  } catch (error) {
    done();
    throw error;
  }
  if (isThenable(result)) {
    // Nobody awaits this branch: a throwing record (strict mode) must not become an unhandled rejection.
    const settle = (): void => {
      try {
        done();
      } catch {}
    };
    result.then(settle, settle);
    return result;
  }
  done();
  return result;
}

export function createTimed(record: Recorder): Timed {
  function timed(name: string, fnOrOptions?: unknown, options?: MetricOptions): unknown {
    if (typeof fnOrOptions === 'function')
      return timeCall(record, name, options, fnOrOptions as () => unknown);
    const opts = fnOrOptions as MetricOptions | undefined;
    return methodDecorator(
      (method) =>
        function (this: unknown, ...args: never[]) {
          return timeCall(record, name, opts, () => method.apply(this, args));
        },
    );
  }
  return timed as Timed;
}
