import { describe, expect, it } from 'vitest';
import { EXACT_LIMIT, Samples } from '../../src/core/samples.js';

describe('Samples', () => {
  it('stays exact up to the limit, then bounded', () => {
    const s = new Samples();
    for (let i = 1; i <= EXACT_LIMIT; i++) s.add(i);
    expect(s.values).toHaveLength(EXACT_LIMIT);
    expect(s.percentile(0.5)).toBe(500);
    for (let i = 0; i < 200_000; i++) s.add((i % 5000) + 0.5);
    expect(s.values).toBeUndefined();
    expect(s.sketch!.pos.counts.length).toBeLessThan(2000);
    expect(s.count).toBe(EXACT_LIMIT + 200_000);
  });

  it('handles negatives and zeros past the limit', () => {
    const s = new Samples();
    const all: number[] = [];
    for (let i = -1500; i <= 1500; i++) {
      s.add(i);
      all.push(i);
    }
    for (const p of [0.1, 0.5, 0.9]) {
      const exact = all[Math.ceil(p * all.length) - 1]!;
      const got = s.percentile(p);
      expect(Math.abs(got - exact)).toBeLessThanOrEqual(Math.abs(exact) * 0.01 + 1e-9);
    }
    expect(s.min).toBe(-1500);
    expect(s.max).toBe(1500);
  });
});
