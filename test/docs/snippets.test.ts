// The README block extraction and its markers (the type check itself: readme-snippets.test.ts).
import { describe, expect, it } from 'vitest';
import { snippets } from './snippets.js';

const md = [
  '# Title',
  '```sh',
  'npm test',
  '```',
  '## Node part',
  '```ts',
  "import { createMetrics } from 'handlerstats';",
  '```',
  '- a list item:',
  '  ````typescript',
  '  // @platform workers',
  '  const a = 1;',
  '  ```',
  '  still code',
  '  ````',
  '### Workers',
  '~~~ts',
  "import { env } from 'cloudflare:workers';",
  '~~~',
  '```ts',
  '// @check off: a fragment',
  '// @platform workers',
  'metrics.increment();',
  '```',
].join('\n');

describe('snippets', () => {
  it('finds ts/typescript blocks (any fence), with their first line, heading, platform and skip reason', () => {
    expect(
      snippets(md).map(({ line, heading, platform, skip }) => ({ line, heading, platform, skip })),
    ).toEqual([
      { line: 7, heading: 'Node part', platform: 'node', skip: undefined },
      { line: 11, heading: 'Node part', platform: 'workers', skip: undefined },
      { line: 18, heading: 'Workers', platform: 'workers', skip: undefined },
      { line: 21, heading: 'Workers', platform: 'workers', skip: 'a fragment' },
    ]);
    expect(snippets(md)[1]?.code).toBe('// @platform workers\nconst a = 1;\n```\nstill code');
  });

  it('refuses a marker it does not know, rather than checking the block another way', () => {
    expect(() => snippets('```ts\n// @platform deno\n```')).toThrow(
      'line 2: @platform must be node or workers',
    );
    expect(() => snippets('```ts\n// @check maybe\n```')).toThrow('@check takes "off: <why>"');
    expect(snippets('```ts\n// @check off\nx\n```')[0]?.skip).toBe('');
  });
});
