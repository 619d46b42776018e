// Lambda Managed Instances (multi-concurrent mode) in the real aws-lambda-ric 4: several worker threads,
// each with its own client, several invocations at once, never frozen. withMetrics adds no flush to a
// response there (background mode); with sendAs: 'distribution' what the backend adds up equals the
// truth across threads; in native mode the threads' totals overwrite each other (Datadog keeps the last
// count per series and timestamp): the shortfall this mode exists for.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IntakeRecord } from '../helpers/recording-intake.js';
import { alignedBucket, type Bundles, prepareBundles, runtimeMatrix } from './runtimes.js';
import { openSession, type Session } from './session.js';

let bundles: Bundles;
beforeAll(async () => {
  bundles = await prepareBundles(['fixtures']);
}, 120_000);
afterAll(() => bundles?.remove());

const N = 40;

/** Resolves once the intake has answered everything and nothing new arrived for `quietMs`. */
async function quiet(s: Session, quietMs = 1500): Promise<void> {
  let seen = -1;
  let since = Date.now();
  for (const end = Date.now() + 20_000; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) {
    const n = s.intake.records.length;
    const answered = s.intake.records.every((r) => r.answeredSeq !== undefined);
    if (n !== seen || !answered) {
      seen = n;
      since = Date.now();
    } else if (Date.now() - since > quietMs) return;
  }
  throw new Error('the intake never went quiet');
}

/** What a Datadog-like store holds: series last-write-wins per timestamp; distribution values added. */
function stored(records: IntakeRecord[], metric: string): { last: number; sum: number; values: number } {
  const last = new Map<number, number>();
  let sum = 0;
  let values = 0;
  for (const r of records)
    for (const s of r.body.series ?? [])
      if (s.metric === metric)
        for (const [t, v] of s.points) {
          if (Array.isArray(v)) {
            for (const x of v) sum += x;
            values += v.length;
          } else last.set(t, v);
        }
  return { last: [...last.values()].reduce((a, b) => a + b, 0), sum, values };
}

describe.each(runtimeMatrix().filter((r) => r.ric === 4))('$label, multi-concurrent mode', (runtime) => {
  const sessions: Session[] = [];
  afterAll(async () => {
    for (const s of sessions) await s.stop();
  });

  const run = async (sendAs: 'native' | 'distribution') => {
    const s = await openSession(
      runtime,
      bundles.dirs.fixtures,
      'handler.managed',
      { FIXTURE_SEND_AS: sendAs },
      {
        concurrency: { maxConcurrency: 8, workers: 2 },
      },
    );
    sessions.push(s);
    s.intake.delayMs = 400; // a slow intake: a response that waited for a flush would come after an answer
    const t = alignedBucket(30);
    const outcomes = await s.invokeConcurrently(Array.from({ length: N }, (_, n) => ({ n, t })));
    expect(outcomes.every((o) => o.kind === 'response')).toBe(true);
    const threads = new Set(outcomes.map((o) => (o.body as { threadId: number }).threadId));
    expect(threads.size).toBeGreaterThanOrEqual(2);
    // Background mode: no response waited for the intake.
    const firstAnswer = await waitFirstAnswer(s);
    expect(Math.max(...outcomes.map((o) => o.seq))).toBeLessThan(firstAnswer);
    await quiet(s);
    expect(s.sandbox.freezes).toBe(0);
    return s;
  };

  it("sendAs: 'distribution': the stored totals equal the truth across worker threads", async () => {
    const s = await run('distribution');
    const records = s.intake.records.filter((r) => r.path === '/api/v1/distribution_points');
    expect(stored(records, 'mi.orders').sum).toBe(N);
    expect(stored(records, 'mi.basket').values).toBe(N);
    expect(s.intake.records.some((r) => r.path === '/api/v1/series')).toBe(false);
  });

  it("native: the threads' totals overwrite each other at the backend (the shortfall)", async () => {
    const s = await run('native');
    const records = s.intake.records.filter((r) => r.path === '/api/v1/series');
    const kept = stored(records, 'mi.orders').last;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(N); // one thread's total, not both
    console.log(
      `Managed Instances, 2 threads, ${N} orders: native mode stored ${kept} (${Math.round((100 * kept) / N)} %)`,
    );
  });
});

async function waitFirstAnswer(s: Session): Promise<number> {
  await s.intake.waitFor((rs) => rs.some((r) => r.answeredSeq !== undefined), 10_000);
  return Math.min(...s.intake.records.map((r) => r.answeredSeq ?? Number.POSITIVE_INFINITY));
}
