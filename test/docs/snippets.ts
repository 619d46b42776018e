// The ```ts blocks of a Markdown file, with the markers that say how to check them (CONTRIBUTING.md,
// "README snippets"): `// @platform node|workers` picks the project, `// @check off: why` skips a block.

export type Platform = 'node' | 'workers';

export interface Snippet {
  /** 1-based line of the block's first code line in the Markdown file. */
  line: number;
  /** The nearest heading above the block. */
  heading: string;
  platform: Platform;
  /** Set when the block is marked `// @check off`: the reason given after it (may be empty). */
  skip: string | undefined;
  code: string;
}

const FENCE = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/;
const MARKER = /^\s*\/\/\s*@(platform|check)\b\s*:?\s*(.*)$/;
const LANGUAGES = new Set(['ts', 'typescript', 'tsx']);

/**
 * Every ```ts (or typescript) block. Markers are the comment lines a block starts with; without a
 * platform marker, a block that imports `cloudflare:workers` is checked as a Worker, any other as Node.
 */
export function snippets(markdown: string): Snippet[] {
  const lines = markdown.split('\n');
  const out: Snippet[] = [];
  let heading = '';
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    const fence = FENCE.exec(text);
    if (fence === null) {
      if (/^#{1,6}\s/.test(text)) heading = text.replace(/^#+\s*/, '').trim();
      continue;
    }
    const [, indent, marks, language] = fence as unknown as [string, string, string, string];
    const closing = new RegExp(`^\\s*\\${marks[0]}{${marks.length},}\\s*$`);
    const end = lines.findIndex((l, j) => j > i && closing.test(l));
    const close = end === -1 ? lines.length : end;
    const body = lines.slice(i + 1, close).map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l));
    if (LANGUAGES.has(language.toLowerCase())) out.push(snippet(body, i + 2, heading));
    i = close;
  }
  return out;
}

function snippet(body: string[], line: number, heading: string): Snippet {
  let platform: Platform | undefined;
  let skip: string | undefined;
  for (const text of body) {
    const marker = MARKER.exec(text);
    if (marker === null) break;
    const [, kind, value] = marker as unknown as [string, string, string];
    if (kind === 'platform') {
      if (value.trim() !== 'node' && value.trim() !== 'workers')
        throw new Error(`line ${line}: @platform must be node or workers, not "${value.trim()}"`);
      platform = value.trim() as Platform;
    } else if (/^off\b/.test(value.trim())) skip = value.trim().replace(/^off\b\s*:?\s*/, '');
    else throw new Error(`line ${line}: @check takes "off: <why>", not "${value.trim()}"`);
  }
  const code = body.join('\n');
  platform ??= /from\s+['"]cloudflare:workers['"]/.test(code) ? 'workers' : 'node';
  return { line, heading, platform, skip, code };
}
