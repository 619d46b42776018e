import { expect, it } from 'vitest';
import { Budget } from '../../src/core/budget.js';
import { KIND, kindsFor } from '../../src/core/kinds/index.js';
import { Registry } from '../../src/core/registry.js';

// Series keys are tagSet.id * 2^26 + nameEntry.id * 8 + kind, and name ids are never reused. A gauge or
// distribution series is unregistered after every successful flush, so its name gets a fresh id on the
// next call: a process with 50 such names and a 10 s timer burns 2^23 ids in ~20 days. Past 2^23 a name
// id overflows into the tag-set field and two different series share one key.
it('series identity survives many name-entry re-creations', () => {
  const kinds = kindsFor({ aggregates: ['max'], percentiles: [], additive: false, sendAs: 'native' });
  const reg = new Registry('', '', [], () => {}, new Budget(2 ** 40));
  const victim = reg.resolve(kinds[KIND.count]!, 'victim', ['x:1'], undefined)!; // name id 1, tag set id 2
  for (let i = 0; i < 2 ** 23 - 1; i++) {
    const s = reg.resolve(kinds[KIND.gauge]!, 'burn', undefined, undefined)!; // what a gauge does each flush
    reg.remove(s);
  }
  const other = reg.resolve(kinds[KIND.count]!, 'other', undefined, undefined)!;
  expect(other).not.toBe(victim);
  expect(other.name).toBe('other');
}, 60_000);
