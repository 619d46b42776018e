import { expect, it } from 'vitest';
import { Samples } from '../../src/core/samples.js';

const exactRank = (sorted: number[], p: number) => sorted[Math.ceil(p * sorted.length) - 1]!;
const within1 = (got: number, exact: number) =>
  expect(Math.abs(got - exact)).toBeLessThanOrEqual(Math.abs(exact) * 0.01);

// 0.1: values below 1e-9 collapsed into the zero bin (~99% off); past 4,096 bins the lowest were merged,
// so p5 over e^-14..e^32 was 7.8× too large.
it('tiny values keep 1% accuracy past the exact limit', () => {
  const s = new Samples();
  const all: number[] = [];
  for (let i = 0; i < 5000; i++) {
    const v = 1e-12 * (1 + i / 100);
    s.add(v);
    all.push(v);
  }
  all.sort((a, b) => a - b);
  for (const p of [0.05, 0.5, 0.95]) within1(s.percentile(p), exactRank(all, p));
});

it('a range of e^-14..e^32 keeps 1% accuracy at every percentile', () => {
  const s = new Samples();
  const all: number[] = [];
  for (let i = 0; i < 20_000; i++) {
    const v = Math.exp(-14 + (46 * i) / 20_000);
    s.add(v);
    all.push(v);
  }
  all.sort((a, b) => a - b);
  for (const p of [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99]) within1(s.percentile(p), exactRank(all, p));
});

it('past the documented range (a max/min ratio above ~4e35) only the smallest values lose accuracy', () => {
  const s = new Samples();
  const all: number[] = [];
  for (let i = 0; i < 20_000; i++) {
    const v = Math.exp(-60 + (120 * i) / 20_000); // ratio e^120
    s.add(v);
    all.push(v);
  }
  all.sort((a, b) => a - b);
  for (const p of [0.5, 0.75, 0.95, 0.99]) within1(s.percentile(p), exactRank(all, p));
});
