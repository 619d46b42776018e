/** A settable clock in milliseconds for `createMetrics({ now })`: tests need no fake timers. */
export interface TestClock {
  (): number;
  set(ms: number): void;
  advance(seconds: number): void;
  seconds(): number;
}

/** A bucket-aligned default start: 1,700,000,000 s is a multiple of 10. */
export const T0 = 1_700_000_000;

export function testClock(startSeconds = T0 + 1): TestClock {
  let now = startSeconds * 1000;
  const clock = (() => now) as TestClock;
  clock.set = (ms) => {
    now = ms;
  };
  clock.advance = (seconds) => {
    now += seconds * 1000;
  };
  clock.seconds = () => now / 1000;
  return clock;
}
