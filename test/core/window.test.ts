import { describe, expect, it } from 'vitest';
import { bucketStart, inWindow, toSeconds } from '../../src/core/window.js';

describe('window', () => {
  it('buckets use the mathematical floor', () => {
    expect(bucketStart(1_700_000_009.99, 10)).toBe(1_700_000_000);
    expect(bucketStart(-0.5, 10)).toBe(-10);
    expect(bucketStart(-10, 10)).toBe(-10);
  });

  it('reads seconds, Dates and milliseconds', () => {
    expect(toSeconds(1_700_000_000.5)).toEqual({ seconds: 1_700_000_000.5, converted: false });
    expect(toSeconds(1_700_000_000_500)).toEqual({ seconds: 1_700_000_000.5, converted: true });
    expect(toSeconds(new Date(1_700_000_000_000))).toEqual({ seconds: 1_700_000_000, converted: false });
    expect(toSeconds(Number.NaN)).toBeUndefined();
    expect(toSeconds(new Date(Number.NaN))).toBeUndefined();
    expect(toSeconds('1700000000')).toBeUndefined();
  });

  it('the window is [now - past, now + future] on bucket starts', () => {
    const w = { maxPastSeconds: 3600, maxFutureSeconds: 600 };
    expect(inWindow(1000 - 3600, 1000, w)).toBe(true);
    expect(inWindow(1000 - 3601, 1000, w)).toBe(false);
    expect(inWindow(1600, 1000, w)).toBe(true);
    expect(inWindow(1601, 1000, w)).toBe(false);
  });
});
