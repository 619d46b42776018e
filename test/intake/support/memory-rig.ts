import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { createDeflate, gzipSync } from 'node:zlib';
import { build } from 'esbuild';

export interface Memory {
  rss: number;
  heapUsed: number;
  peakRss: number;
  peakHeap: number;
}

/** An intake in a child process (bundled from source), whose memory the test reads. */
export interface MemoryRig {
  url: string;
  /** Memory after a full GC, plus the peaks sampled every 5 ms since the last `reset()`. */
  mem(): Promise<Memory>;
  /** Starts a new peak window (after a full GC). */
  reset(): Promise<void>;
  close(): Promise<void>;
}

const MB = 1024 * 1024;
export const mb = (n: number): string => `${(n / MB).toFixed(1)} MB`;

/** Bundles `support/memory-child.ts` (or `entry`) once per directory. */
export async function bundleChild(entry = join(import.meta.dirname, 'memory-child.ts')): Promise<{
  file: string;
  dispose: () => void;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'handlerstats-mem-'));
  const file = join(dir, 'child.mjs');
  await build({
    entryPoints: [entry],
    outfile: file,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
  });
  return { file, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function startRig(file: string, options: Record<string, unknown> = {}): Promise<MemoryRig> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--expose-gc', '--max-old-space-size=6144', file, JSON.stringify(options)],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines: Interface = createInterface({ input: child.stdout! });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const next = (): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`intake child exited (${code})`));
      child.once('exit', onExit);
      waiting.push((line) => {
        child.off('exit', onExit);
        resolve(JSON.parse(line) as Record<string, unknown>);
      });
    });
  const ask = async (cmd: string): Promise<Record<string, unknown>> => {
    const reply = next();
    child.stdin!.write(`${cmd}\n`);
    return reply;
  };
  const { url } = (await next()) as { url: string };
  return {
    url,
    mem: async () => (await ask('mem')) as unknown as Memory,
    reset: async () => void (await ask('reset')),
    close: async () => {
      if (child.exitCode === null) {
        child.stdin!.write('exit\n');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/** A zlib (`deflate`) stream of `head`, `bytes` bytes of `fill`, then `tail`, never held whole. */
export async function deflated(head: string, fill: number, bytes: number, tail = ''): Promise<Buffer> {
  const d = createDeflate({ level: 9 });
  const out: Buffer[] = [];
  d.on('data', (c: Buffer) => out.push(c));
  const done = new Promise<void>((resolve) => d.on('end', () => resolve()));
  d.write(head);
  const mib = Buffer.alloc(MB, fill);
  for (let left = bytes; left > 0; left -= MB) d.write(left >= MB ? mib : mib.subarray(0, left));
  d.end(tail);
  await done;
  return Buffer.concat(out);
}

/** A zlib stream of `total` bytes: `head`, then spaces. About 1 KB per MB. */
export function deflateBomb(head: string, total: number): Promise<Buffer> {
  return deflated(head, 0x20, total - head.length);
}

/** A gzip stream of `head` then `mibs` MiB of spaces: concatenated members, one compressed MiB repeated. */
export function gzipBomb(head: string, mibs: number): Buffer {
  const member = gzipSync(Buffer.alloc(MB, 0x20), { level: 9 });
  return Buffer.concat([gzipSync(head), ...Array.from({ length: mibs }, () => member)]);
}
