import { describe, expect, it } from 'vitest';
import {
  normalizeName,
  normalizeTag,
  normalizeTags,
  parseTagList,
  wireName,
} from '../../src/core/normalize.js';

describe('normalizeName', () => {
  it.each([
    ['orders.placed', 'orders.placed'],
    ['Orders_Placed', 'Orders_Placed'],
    ['1orders', 'orders'],
    ['_.x', 'x'],
    ['my-metric name!', 'my_metric_name'],
    ['a__b', 'a_b'],
    ['héllo', 'h_llo'],
    ['!!!', ''],
    ['', ''],
  ])('%j → %j', (raw, out) => expect(normalizeName(raw)).toBe(out));

  it('keeps long names whole (wireName cuts them)', () =>
    expect(normalizeName('a'.repeat(500))).toHaveLength(500));
});

describe('wireName', () => {
  it('cuts at 200 characters and keeps a hash of the whole name', () => {
    const a = wireName(`${'a'.repeat(196)}xyz1`, '');
    const b = wireName(`${'a'.repeat(196)}xyz2`, '');
    expect(a).toHaveLength(200);
    expect(b).toHaveLength(200);
    expect(a).not.toBe(b);
    expect(a.startsWith('a'.repeat(190))).toBe(true);
  });

  it('names with a suffix stay within 200 characters and apart', () => {
    const long = 'x'.repeat(199);
    const max = wireName(long, 'max');
    expect(max).toHaveLength(200);
    expect(max.endsWith('.max')).toBe(true);
    expect(wireName(`${long}y`, 'max')).not.toBe(max);
    expect(wireName('short', '95percentile')).toBe('short.95percentile');
  });
});

describe('normalizeTag', () => {
  it.each([
    ['env:prod', 'env:prod'],
    ['Env:Prod', 'env:prod'],
    ['path:/a/b.c-d', 'path:/a/b.c-d'],
    ['bad tag!', 'bad_tag'],
    ['ok:', 'ok'],
    [':::', ''],
    ['1abc', 'abc'],
    ['région:île', 'région:île'],
    ['日本:東京', '日本:東京'],
    ['a  b', 'a_b'],
  ])('%j → %j', (raw, out) => expect(normalizeTag(raw)).toBe(out));

  it('caps at 200 characters', () => expect(normalizeTag(`k:${'v'.repeat(500)}`)).toHaveLength(200));
});

describe('normalizeTags', () => {
  it('sorts, de-duplicates, merges constants, counts the unusable', () => {
    expect(normalizeTags(['b:2', 'A:1', 'a:1', 3, ':'], ['z:9'])).toEqual({
      tags: ['a:1', 'b:2', 'z:9'],
      invalid: 2,
      changed: 1,
    });
  });

  it('reads objects as key:value; __proto__ is a plain key, nothing is polluted', () => {
    const tags = JSON.parse('{"__proto__": "x", "plan": "pro", "n": 1, "ok": true}') as Record<
      string,
      string
    >;
    expect(normalizeTags(tags, []).tags).toEqual(['n:1', 'ok:true', 'plan:pro', 'proto_:x']);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

describe('parseTagList', () => {
  it('splits DD_TAGS on commas and spaces', () => {
    expect(parseTagList('a:1, b:2 c:3,,')).toEqual(['a:1', 'b:2', 'c:3']);
    expect(parseTagList(undefined)).toEqual([]);
  });
});
