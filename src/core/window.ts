// Time is always passed in (seconds); nothing here reads a clock.

/** Start of the bucket holding `t`: mathematical floor, correct for negative and fractional `t`. */
export function bucketStart(t: number, interval: number): number {
  return Math.floor(t / interval) * interval;
}

/** Past this a number can only be milliseconds (1e11 s is the year 5138). */
const MILLISECONDS_THRESHOLD = 1e11;

export type TimestampResult = { seconds: number; converted: boolean } | undefined;

/** Reads a user timestamp (Unix seconds or Date). `undefined` when it is not a usable time. */
export function toSeconds(timestamp: unknown): TimestampResult {
  if (typeof timestamp === 'number') {
    if (!Number.isFinite(timestamp)) return undefined;
    if (timestamp > MILLISECONDS_THRESHOLD) return { seconds: timestamp / 1000, converted: true };
    return { seconds: timestamp, converted: false };
  }
  if (timestamp instanceof Date) {
    const ms = timestamp.getTime();
    return Number.isFinite(ms) ? { seconds: ms / 1000, converted: false } : undefined;
  }
  return undefined;
}

export interface Window {
  maxPastSeconds: number;
  maxFutureSeconds: number;
}

/** Whether a bucket starting at `bucket` is inside `[now - maxPast, now + maxFuture]`. */
export function inWindow(bucket: number, nowSeconds: number, window: Window): boolean {
  return bucket >= nowSeconds - window.maxPastSeconds && bucket <= nowSeconds + window.maxFutureSeconds;
}
