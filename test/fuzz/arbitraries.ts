import fc from 'fast-check';
import { expect } from 'vitest';

/** Strings that have broken parsers and maps before: empty, separators, prototype keys, huge. */
export const weirdString = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.constantFrom(
    '',
    ':',
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    '__proto__:x',
    '\u0000',
    '\ud800',
    'a'.repeat(5000),
  ),
);

/** Any value a JavaScript caller could pass (`noBigInt` where the fuzzed code itself builds JSON). */
export function anything(options: { noBigInt?: boolean } = {}) {
  return fc.oneof(
    fc.anything({ maxDepth: 2, withBigInt: options.noBigInt !== true, withDate: true, withMap: true }),
    weirdString,
    fc.double(),
    fc.constantFrom(
      undefined,
      null,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      -0,
      1e308,
      -1,
      2 ** 53,
      Symbol('s'),
      () => 1,
      new Date(Number.NaN),
      JSON.parse('{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}}'),
    ),
  );
}

/** What the values of {@link booby} throw: the caller's own exception, not the library's. */
export class BoobyError extends Error {}

/** A Proxy that throws on every read of a string key (symbol keys answer, so fast-check can print it). */
function trap(target: object, name: string): unknown {
  return new Proxy(target, {
    get(_t, key) {
      if (key === fc.toStringMethod) return () => name;
      if (typeof key === 'symbol') return undefined;
      throw new BoobyError(`${name}: get ${key}`);
    },
    ownKeys() {
      throw new BoobyError(`${name}: ownKeys`);
    },
  });
}

const named = <T extends object>(value: T, name: string): T =>
  Object.defineProperty(value, fc.toStringMethod, { value: () => name });

/** Values that throw when they are read: Proxies that trap every access, a throwing getter, a bad Date. */
export const booby = fc.constantFrom<unknown>(
  trap({}, 'trap{}'),
  trap([], 'trap[]'),
  named(
    Object.defineProperty({}, 'tags', {
      enumerable: true,
      get() {
        throw new BoobyError('getter');
      },
    }),
    'throwing getter',
  ),
  named(
    Object.defineProperty(new Date(), 'getTime', {
      value: () => {
        throw new BoobyError('bad clock');
      },
    }),
    'Date with a throwing getTime',
  ),
  named(
    {
      toJSON() {
        throw new BoobyError('toJSON');
      },
    },
    'throwing toJSON',
  ),
  named(
    {
      toString() {
        throw new BoobyError('toString');
      },
    },
    'throwing toString',
  ),
);

/** Checks that nothing wrote through `__proto__` / `constructor.prototype` onto the shared prototypes. */
export function expectNoPollution(): void {
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.prototype).not.toHaveProperty('polluted');
  expect(Array.prototype).not.toHaveProperty('polluted');
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(
    [
      '__defineGetter__',
      '__defineSetter__',
      '__lookupGetter__',
      '__lookupSetter__',
      '__proto__',
      'constructor',
      'hasOwnProperty',
      'isPrototypeOf',
      'propertyIsEnumerable',
      'toLocaleString',
      'toString',
      'valueOf',
    ].sort(),
  );
}
