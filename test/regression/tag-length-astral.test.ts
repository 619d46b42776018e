import { expect, it } from 'vitest';
import { createMetrics } from '../../src/index.js';
import { createMemoryTransport } from '../../src/testing.js';
import { testClock } from '../helpers/clock.js';
import { seriesOf } from '../helpers/wire.js';

// normalizeTag() truncates to 200 *code points* (Array.from(out).slice(0, 200)), so a tag with characters
// outside the BMP (emoji, CJK extension B, U+10000…) goes out longer than 200 UTF-16 units: '𐀀:aaa…' is
// 201. test/fuzz/hostile-input.test.ts asserts `tag.length <= 200` and fails on such input whenever its
// random seed produces one (seen on a Node 22 run: seed 1265929601, tags { '𐀀': 'a'.repeat(…) }).
// One of the two has to give; this pins the case deterministically. (Datadog documents "200 characters";
// its agent-side normalizers count UTF-8 bytes, which would make 'é' count twice as well.)
it('a tag with non-BMP characters is at most 200 UTF-16 units, like the fuzz test expects', async () => {
  const transport = createMemoryTransport();
  const metrics = createMetrics({ transport, now: testClock(), flushInterval: 0, onError: () => {} });
  metrics.increment('c', 1, { tags: { '\u{10000}': 'a'.repeat(300) } });
  metrics.increment('d', 1, { tags: [`\u{1F600}\u{1F600}:${'b'.repeat(300)}`] });
  await metrics.flush();
  for (const s of seriesOf(transport.requests))
    for (const tag of s.tags) expect(tag.length).toBeLessThanOrEqual(200);
});
