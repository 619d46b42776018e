import { request } from 'node:http';
import { deflateSync } from 'node:zlib';
import { deflateBomb, deflated, type Memory, type MemoryRig } from './memory-rig.js';

const MB = 1024 * 1024;

export interface AttackResult {
  statuses: Record<string, number>;
  /** Status of `GET /api/received` afterwards. */
  snapshot: number;
  /** Memory right before the attack (after a full GC). */
  before: Memory;
  /** Peaks during the attack, and what is left after a full GC. */
  after: Memory;
  /** Taken mid-attack, where the attack has a moment of maximum hold. */
  during?: Memory;
}

/** One raw POST on a fresh connection; resolves with the status (0: connection reset or closed). */
export function post(
  url: string,
  path: string,
  body: Buffer | ((write: (chunk: Buffer) => boolean) => Promise<void>),
  encoding?: string,
): Promise<number> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = { 'DD-API-KEY': 'k', 'Content-Type': 'application/json' };
    if (encoding !== undefined) headers['Content-Encoding'] = encoding;
    if (Buffer.isBuffer(body)) headers['Content-Length'] = String(body.length);
    const req = request(new URL(path, url), { method: 'POST', headers, agent: false });
    req.on('error', () => resolve(0));
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(0));
    });
    if (Buffer.isBuffer(body)) req.end(body);
    else
      void body((c) => req.write(c)).then(
        () => req.end(),
        () => req.destroy(),
      );
  });
}

async function snapshotStatus(url: string): Promise<number> {
  try {
    const res = await fetch(`${url}/api/received`);
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

async function measure(
  rig: MemoryRig,
  run: (mark: (m: Memory) => void) => Promise<number[]>,
): Promise<AttackResult> {
  await rig.reset();
  const before = await rig.mem();
  await rig.reset();
  let during: Memory | undefined;
  const codes = await run((m) => {
    during = m;
  });
  const statuses: Record<string, number> = {};
  for (const c of codes) statuses[c] = (statuses[c] ?? 0) + 1;
  const snapshot = await snapshotStatus(rig.url);
  const after = await rig.mem();
  return { statuses, snapshot, before, after, during };
}

const now = (): number => Math.floor(Date.now() / 1000);

/** Ten small deflated requests, each carrying one 55 MB tag. */
export async function bigTagAttack(rig: MemoryRig): Promise<AttackResult> {
  const t = now();
  const bodies: Buffer[] = [];
  for (let i = 0; i < 10; i++)
    bodies.push(
      await deflated(
        `{"series":[{"metric":"big.tag","points":[[${t},1]],"tags":["t${i}:`,
        0x78,
        55e6,
        '"]}]}',
      ),
    );
  return measure(rig, async () => {
    const out: number[] = [];
    for (const b of bodies) out.push(await post(rig.url, '/api/v1/series', b, 'deflate'));
    return out;
  });
}

/** 16 concurrent deflate bombs of 1 GiB each (about 1 MB on the wire). */
export async function zipBombAttack(rig: MemoryRig, bomb?: Buffer): Promise<AttackResult> {
  const b = bomb ?? (await deflateBomb('{"series":[', 1024 * MB));
  return measure(rig, () =>
    Promise.all(Array.from({ length: 16 }, () => post(rig.url, '/api/v1/series', b, 'deflate'))),
  );
}

/** A body within the limits whose JSON tree is much larger than its text: `{"series":[{},{},…]}`. */
export async function amplificationAttack(rig: MemoryRig): Promise<AttackResult> {
  const n = Math.floor((58 * MB) / 3);
  const b = deflateSync(`{"series":[${'{},'.repeat(n)}{}]}`, { level: 9 });
  // Ten million points of a single series, all out of the window (timestamp 1).
  const points = deflateSync(
    `{"series":[{"metric":"amp","points":[${'[1,1],'.repeat(Math.floor((58 * MB) / 6))}[1,1]]}]}`,
    { level: 9 },
  );
  return measure(rig, async () => [
    await post(rig.url, '/api/v1/series', b, 'deflate'),
    await post(rig.url, '/api/v1/series', points, 'deflate'),
  ]);
}

/** Many valid series with long tags (200 chars each, 1000 per series): fills a store not bounded in bytes. */
export async function storeFillAttack(rig: MemoryRig, requests = 150): Promise<AttackResult> {
  const tags = (r: number, s: number): string =>
    Array.from({ length: 1000 }, (_, i) => `"k${r}.${s}.${i}:${'v'.repeat(180)}"`).join(',');
  const body = (r: number): Buffer =>
    deflateSync(
      `{"series":[${Array.from({ length: 10 }, (_, s) => `{"metric":"fill.m","points":[[${now()},${s}]],"tags":[${tags(r, s)}]}`).join(',')}]}`,
    );
  return measure(rig, async () => {
    const out: number[] = [];
    for (let r = 0; r < requests; r++) out.push(await post(rig.url, '/api/v1/series', body(r), 'deflate'));
    return out;
  });
}

/** 40 concurrent identity bodies of 3.1 MB that stall before their last byte, then finish. */
export async function slowBodiesAttack(rig: MemoryRig): Promise<AttackResult> {
  const size = 3_100_000;
  const text = Buffer.from(`{"series":[${' '.repeat(size - 13)}]}`);
  return measure(rig, async (mark) => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const all = Array.from({ length: 40 }, () =>
      post(rig.url, '/api/v1/series', async (write) => {
        for (let i = 0; i < text.length - 1; i += 256 * 1024)
          write(text.subarray(i, Math.min(i + 256 * 1024, text.length - 1)));
        await gate;
        write(text.subarray(text.length - 1));
      }),
    );
    await new Promise((r) => setTimeout(r, 1500));
    mark(await rig.mem()); // every admitted body is held now, waiting for its last byte
    release();
    return Promise.all(all);
  });
}
