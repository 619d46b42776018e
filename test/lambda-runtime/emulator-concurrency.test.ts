// The emulator's Lambda Managed Instances mode against the real aws-lambda-ric 4: with
// AWS_LAMBDA_MAX_CONCURRENCY set, ric 4 starts AWS_LAMBDA_NODEJS_WORKER_COUNT worker threads, each
// keeping one /next open and taking the next event as soon as it handed one to its handler. Handlers
// wait at a probe gate, so "in flight at once" is shown by order, not by timing.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Outcome } from './runtime-api.js';
import { type Bundles, prepareBundles, runtimeMatrix } from './runtimes.js';
import { openSession, type Session } from './session.js';

let bundles: Bundles;
beforeAll(async () => {
  bundles = await prepareBundles(['emulator']);
}, 120_000);
afterAll(() => bundles?.remove());

type Gated = { n: number; threadId: number; requestId: string };
const body = (o: Outcome): Gated => o.body as Gated;

describe.each(runtimeMatrix().filter((r) => r.ric === 4))('$label', (runtime) => {
  const sessions: Session[] = [];
  afterAll(async () => {
    for (const s of sessions) await s.stop();
  });
  const open = async (maxConcurrency: number, workers: number): Promise<Session> => {
    const concurrency = { maxConcurrency, workers };
    const s = await openSession(runtime, bundles.dirs.emulator, 'handler.gated', {}, { concurrency });
    sessions.push(s);
    return s;
  };

  it('holds several invocations in flight on ≥ 2 worker threads, answers each by request id, never freezes', async () => {
    const s = await open(8, 2);
    const all = s.invokeConcurrently([0, 1, 2, 3, 4, 5].map((n) => ({ n, gate: 'go' })));
    await s.timeline.waitForCount('gate', 6, { key: 'go' }); // all six handlers run at once: none can answer before the release
    s.probe.release('go');
    const outcomes = await all;

    outcomes.forEach((o, n) => {
      expect(o.kind).toBe('response');
      expect(body(o)).toEqual({ n, threadId: expect.any(Number), requestId: o.requestId });
    });
    const firstAnswer = Math.min(...outcomes.map((o) => o.seq));
    expect(Math.max(...outcomes.map((o) => o.deliveredSeq))).toBeLessThan(firstAnswer);
    expect(s.timeline.seqOf('gate-release', { key: 'go' })).toBeLessThan(firstAnswer);
    expect(new Set(outcomes.map((o) => body(o).threadId)).size).toBeGreaterThanOrEqual(2);
    expect(outcomes.every((o) => body(o).threadId > 0)).toBe(true); // worker threads, not the main one

    // Every worker is back in `next`, the sandbox idle: single-concurrency Lambda would freeze here.
    await s.untilReady();
    expect(s.timeline.all('freeze')).toEqual([]);
    expect(s.sandbox.freezes).toBe(0);
    expect(processState(s.sandbox.pid)).not.toBe('T');
  });

  it('delivers at most AWS_LAMBDA_MAX_CONCURRENCY at once; the rest as answers come back', async () => {
    const s = await open(3, 2);
    const all = s.invokeConcurrently([0, 1, 2, 3, 4].map((n) => ({ n, gate: 'go' })));
    await s.timeline.waitForCount('gate', 3, { key: 'go' });
    expect(s.timeline.all('invoke')).toHaveLength(3); // the emulator holds two back, though workers wait
    expect(s.sandbox.api.waitingNexts).toBeGreaterThan(0);
    s.probe.release('go');
    const outcomes = await all;

    expect(outcomes.map((o) => body(o).n)).toEqual([0, 1, 2, 3, 4]);
    const firstAnswer = Math.min(...outcomes.map((o) => o.seq));
    expect(outcomes.filter((o) => o.deliveredSeq < firstAnswer)).toHaveLength(3);
    expect(s.timeline.all('freeze')).toEqual([]);
  });
});

/** The process's state letter from /proc (`T` = stopped by a signal). */
function processState(pid: number | undefined): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}
